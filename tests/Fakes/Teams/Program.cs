using Integrations.Fakes.Common;
using Integrations.Fakes.Common.OAuth;
using Integrations.Fakes.Teams;

// The Microsoft Teams fake: Workflows webhook URLs (202, 400 for a card Teams would refuse), the
// Entra ID token endpoint for client credentials (the OAuth core at /botframework.com/oauth2/v2.0/token),
// the Bot Connector's POST /v3/conversations/{id}/activities, and its OpenID metadata and JWKS with
// /_fake/teams/activity-token minting the JWT the Bot Connector would send to a bot.
// Settings (tests/Fakes/README.md): --Client:Id=… --Client:Secret=… --Workflows=wf1=sig1,…
//   --Conversations=19:general@thread.tacv2,… --OAuth:TokenPath=/botframework.com/oauth2/v2.0/token
var builder = FakeApp.CreateBuilder(args);
builder.Services.AddFakeOAuthServer();
builder.Services.AddFakeState<TeamsState>();
builder.Services.AddSingleton<ActivityTokens>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapFakeOAuthServer();
app.MapWorkflows();
app.MapBotConnector();
app.MapTeamsControlApi();

await FakeApp.RunAsync(app, "teams");
