-- Schemas the integration tests left behind in TEST_DATABASE_URL's database
-- (a killed test run cannot drop its own). `make unit` runs this first.
SET client_min_messages = warning;
DO $$
DECLARE
  leftover text;
BEGIN
  FOR leftover IN
    SELECT nspname FROM pg_namespace
    WHERE nspname LIKE 'chat98\_it\_%' OR nspname LIKE 'chat98\_test\_%'
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', leftover);
  END LOOP;
END
$$;
