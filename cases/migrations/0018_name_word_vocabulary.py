"""The vocabulary of the words of children's Latin names, on PostgreSQL: each word once,
whoever bears it, kept by the database itself as children are written (COPY and bulk inserts
included).

A name spelt a little differently or only begun is looked up in the vocabulary first (a few
thousand words, with a trigram index), then its children are read from the whole-word index of
migration 0017: the cost follows the children so named, where a trigram match on every child's
name read every name sharing a few letters, and its plan swung with the planner's guess of how
many would match.

A word is never taken out when the last child bearing it is renamed: the children's own words
are what a search checks, so a spare word finds nobody. The index on the word is not unique on
purpose: two registrations bringing the same new word at once each add it, rather than one
waiting on the other (or both on each other)."""

from django.db import migrations

from core.migration_operations import sql_on_postgresql

CREATE = """
CREATE TABLE cases_name_word (word varchar(220) NOT NULL);
CREATE INDEX name_word_idx ON cases_name_word (word);
CREATE INDEX name_word_trgm ON cases_name_word USING gin (word gin_trgm_ops);

CREATE FUNCTION cases_keep_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_name_word (word)
    SELECT DISTINCT name.word
    FROM written_children,
        unnest(string_to_array(written_children.search_name, ' ')) AS name(word)
    WHERE name.word <> ''
      AND NOT EXISTS (SELECT 1 FROM cases_name_word known WHERE known.word = name.word);
    RETURN NULL;
END
$$;

CREATE TRIGGER child_name_words_inserted AFTER INSERT ON cases_child
    REFERENCING NEW TABLE AS written_children
    FOR EACH STATEMENT EXECUTE FUNCTION cases_keep_name_words();
CREATE TRIGGER child_name_words_updated AFTER UPDATE ON cases_child
    REFERENCING NEW TABLE AS written_children
    FOR EACH STATEMENT EXECUTE FUNCTION cases_keep_name_words();

INSERT INTO cases_name_word (word)
SELECT DISTINCT name.word
FROM cases_child, unnest(string_to_array(cases_child.search_name, ' ')) AS name(word)
WHERE name.word <> '';
ANALYZE cases_name_word;
"""

DROP = """
DROP TRIGGER IF EXISTS child_name_words_inserted ON cases_child;
DROP TRIGGER IF EXISTS child_name_words_updated ON cases_child;
DROP FUNCTION IF EXISTS cases_keep_name_words();
DROP TABLE IF EXISTS cases_name_word;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_child_name_word_indexes")]

    operations = [sql_on_postgresql(CREATE, DROP)]
