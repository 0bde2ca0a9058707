from django.db import migrations

# Live articles whose readers' copy is their working text: its links are the same rows.
COPY_LINKS = """
INSERT INTO articles_internallink (
    source_article_id, source_drug_id, source_page_id, href, target_key, text,
    target_article_id, target_drug_id, target_condition_id, target_page_id, in_live_copy
)
SELECT l.source_article_id, NULL, NULL, l.href, l.target_key, l.text,
       l.target_article_id, l.target_drug_id, l.target_condition_id, l.target_page_id, TRUE
FROM articles_internallink l
JOIN articles_article a ON a.id = l.source_article_id
WHERE NOT l.in_live_copy AND a.is_live AND a.live_body = a.body
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_live_copy_links")]

    operations = [
        migrations.RunSQL(COPY_LINKS, "DELETE FROM articles_internallink WHERE in_live_copy")
    ]
