"""A drug's search vector also holds the names of the conditions it is approved or used for.

Its brands, conditions and class (weight B) say more about it than its summary (C): a
search for "spasticity" or "muscle relaxant" finds the hubs of the drugs for it.

``Drug.conditions_text`` is kept in step by the database, whatever writes the uses (the
admin's inlines, the importer's bulk inserts, ``generate_content``): a drug row always
recomputes it when written, and a change to a drug's uses or to a condition's name
rewrites the drugs concerned. A generated column cannot be altered, so the vector is
dropped and added again.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION drug_conditions_text(drug bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(name, ' ' ORDER BY name), '') FROM (
        SELECT DISTINCT c.name FROM drugs_indication i
          JOIN drugs_condition c ON c.id = i.condition_id WHERE i.drug_id = drug
    ) names
$$;

CREATE FUNCTION drug_conditions_text_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.conditions_text := drug_conditions_text(NEW.id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER drug_conditions_text BEFORE INSERT OR UPDATE ON drugs_drug
    FOR EACH ROW EXECUTE FUNCTION drug_conditions_text_on_write();

-- Writing the drug row is enough: the trigger above recomputes the text.
CREATE FUNCTION indication_rewrites_drugs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE drugs_drug SET conditions_text = '' WHERE id IN (SELECT drug_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE drugs_drug SET conditions_text = '' WHERE id IN (SELECT drug_id FROM old_rows);
    ELSE
        UPDATE drugs_drug SET conditions_text = '' WHERE id IN (
            SELECT drug_id FROM new_rows UNION SELECT drug_id FROM old_rows);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER indication_inserted_rewrites_drugs AFTER INSERT ON drugs_indication
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION indication_rewrites_drugs();
CREATE TRIGGER indication_deleted_rewrites_drugs AFTER DELETE ON drugs_indication
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION indication_rewrites_drugs();
CREATE TRIGGER indication_updated_rewrites_drugs AFTER UPDATE ON drugs_indication
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION indication_rewrites_drugs();

CREATE FUNCTION condition_renamed_rewrites_drugs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE drugs_drug SET conditions_text = '' WHERE id IN (
        SELECT i.drug_id FROM drugs_indication i
          JOIN new_rows n ON n.id = i.condition_id
          JOIN old_rows o ON o.id = n.id
         WHERE o.name IS DISTINCT FROM n.name);
    RETURN NULL;
END;
$$;
CREATE TRIGGER condition_renamed_rewrites_drugs AFTER UPDATE ON drugs_condition
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION condition_renamed_rewrites_drugs();

UPDATE drugs_drug SET conditions_text = '' WHERE id IN (SELECT drug_id FROM drugs_indication);
"""

REVERSE = """
DROP TRIGGER IF EXISTS condition_renamed_rewrites_drugs ON drugs_condition;
DROP FUNCTION IF EXISTS condition_renamed_rewrites_drugs();
DROP TRIGGER IF EXISTS indication_inserted_rewrites_drugs ON drugs_indication;
DROP TRIGGER IF EXISTS indication_deleted_rewrites_drugs ON drugs_indication;
DROP TRIGGER IF EXISTS indication_updated_rewrites_drugs ON drugs_indication;
DROP FUNCTION IF EXISTS indication_rewrites_drugs();
DROP TRIGGER IF EXISTS drug_conditions_text ON drugs_drug;
DROP FUNCTION IF EXISTS drug_conditions_text_on_write();
DROP FUNCTION IF EXISTS drug_conditions_text(bigint);
"""


def vector():
    config = "english_unaccent"
    search = django.contrib.postgres.search
    return models.GeneratedField(
        db_persist=True,
        expression=search.CombinedSearchVector(
            search.CombinedSearchVector(
                search.SearchVector("name", config=config, weight="A"),
                "||",
                search.SearchVector(
                    "brand_names_text", "conditions_text", "drug_class", config=config, weight="B"
                ),
                search.SearchConfig(config),
            ),
            "||",
            search.SearchVector("summary", config=config, weight="C"),
            search.SearchConfig(config),
        ),
        output_field=search.SearchVectorField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("drugs", "0005_markdown_length_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="drug",
            name="conditions_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Names of the conditions it is approved or used for, kept in step "
                "for search by database triggers (migration 0006), whatever writes the uses.",
            ),
        ),
        migrations.RemoveIndex(model_name="drug", name="drug_search_idx"),
        migrations.RemoveField(model_name="drug", name="search_vector"),
        migrations.AddField(model_name="drug", name="search_vector", field=vector()),
        migrations.AddIndex(
            model_name="drug",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="drug_search_idx"
            ),
        ),
        migrations.RunSQL(TRIGGERS, REVERSE),
    ]
