-- Where the relay's last publication of a row landed on Kafka (set when the row is marked
-- published, overwritten by every republication). The sweeper compares them with the completing
-- consumer group's committed offsets, so a message merely waiting in consumer lag is not
-- republished. Null for rows published before this migration: the sweeper's time rule applies.
alter table outbox add column kafka_partition int null, add column kafka_offset bigint null;
