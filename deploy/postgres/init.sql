-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- Each service with tables owns one database; nothing reads another service's database.
-- cleanser and indexer keep no tables, so they have none.
CREATE DATABASE lateral_ingest_gateway;
CREATE DATABASE lateral_matcher;
CREATE DATABASE lateral_search_api;
CREATE DATABASE lateral_alerts;
CREATE DATABASE lateral_audit;
