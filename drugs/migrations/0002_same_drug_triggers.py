"""Database-level guarantee that a formulation's brands and an indication's formulations
belong to the same drug. Forms check it too, but only the database can promise it."""

from django.db import migrations

TRIGGERS = [
    # (m2m table, trigger name, left FK column, left table, right FK column, right table)
    ("drugs_indication_formulations", "indication_formulation_same_drug",
     "indication_id", "drugs_indication", "formulation_id", "drugs_formulation"),
    ("drugs_formulation_brand_names", "formulation_brand_same_drug",
     "formulation_id", "drugs_formulation", "brandname_id", "drugs_brandname"),
]  # fmt: skip


def forward_sql(table, name, left_col, left_table, right_col, right_table):
    return f"""
CREATE FUNCTION {name}_check() RETURNS trigger AS $$
BEGIN
    IF (SELECT drug_id FROM {left_table} WHERE id = NEW.{left_col})
       IS DISTINCT FROM (SELECT drug_id FROM {right_table} WHERE id = NEW.{right_col}) THEN
        RAISE EXCEPTION '{name}: % and % belong to different drugs', NEW.{left_col}, NEW.{right_col}
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}_check();
"""


def reverse_sql(table, name, *_):
    return f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}_check();"


class Migration(migrations.Migration):
    dependencies = [("drugs", "0001_initial")]

    operations = [
        migrations.RunSQL(forward_sql(*spec), reverse_sql(*spec)) for spec in TRIGGERS
    ]
