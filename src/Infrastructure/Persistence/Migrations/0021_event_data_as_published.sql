-- An event's data is kept as the product published it: json stores the text as sent (key order,
-- spacing, escapes), where jsonb kept a normalised copy, so webhooks carried other bytes than the
-- product sent and a receiver hashing data could not match it (docs/webhooks.md, "data"). Rows
-- written before keep the normalised text they have.
alter table events alter column data type json using data::json;
