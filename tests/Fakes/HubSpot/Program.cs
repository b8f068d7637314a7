using Integrations.Fakes.Common;
using Integrations.Fakes.Common.OAuth;
using Integrations.Fakes.HubSpot;
using Microsoft.Extensions.Configuration.Memory;

// The HubSpot fake. HubSpot's quirks are its defaults (arguments still override them), from
// developers.hubspot.com/docs/api/oauth-quickstart-guide and /docs/api/working-with-oauth:
// the browser at /oauth/authorize, tokens at POST /oauth/v1/token with client id and secret in the form body,
// access tokens for 30 minutes (expires_in 1800), refresh tokens that stay the same, portals as the core's
// accounts (--Accounts=<portal id>=<ui domain>,…), the consent approving at once.
var builder = FakeApp.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData =
    [
        new("OAuth:AuthorizePath", "/oauth/authorize"),
        new("OAuth:TokenPath", "/oauth/v1/token"),
        new("OAuth:RevocationPath", ""),
        new("OAuth:AccessTokenLifetimeSeconds", "1800"),
        new("OAuth:RefreshTokens", "Static"),
        new("OAuth:ClientAuthMethods", "client_secret_post"),
        new("OAuth:Pkce", "Unsupported"),
        new("OAuth:Consent", "Approve"),
        new("OAuth:AccountParameter", "portal"),
    ],
});
builder.Services.AddFakeOAuthServer();
builder.Services.AddFakeState<HubSpotPortals>();
builder.Services.AddHttpClient();
builder.Services.AddFakeState<HubSpotWebhooks>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapFakeOAuthServer();
app.MapHubSpotCrmApi();
app.MapHubSpotControlApi();

await FakeApp.RunAsync(app, "hubspot");
