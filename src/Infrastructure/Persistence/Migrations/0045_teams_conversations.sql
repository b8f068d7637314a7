-- The Teams channels a connection's bot was installed in (issue 21, docs/connectors/teams.md): recorded
-- from the Bot Connector's conversationUpdate / installationUpdate activities, listed for the route
-- editor (a teams.bot_card route's conversation_id). One row per connection and conversation; a later
-- installation refreshes the service URL and names.
create table teams_conversations (
    tenant_id uuid not null,
    connection_id uuid not null,
    conversation_id text not null,
    service_url text not null,
    microsoft_tenant_id text null,
    team_id text null,
    name text null,
    conversation_type text not null,
    installed_at timestamptz not null,
    primary key (connection_id, conversation_id)
);

create index teams_conversations_tenant_idx on teams_conversations (tenant_id, connection_id, installed_at);
