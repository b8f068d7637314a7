using Integrations.Fakes.Common;
using Integrations.Fakes.Common.OAuth;
using Integrations.Fakes.ExactOnline;
using Microsoft.Extensions.Configuration.Memory;

// The Exact Online fake. Exact's quirks are its defaults (arguments still override them), from
// start.exactonline.nl/docs/HlpRestAPIResources.aspx and support.exactonline.com ("OAuth tokens", "API rate limits"):
// the browser at /api/oauth2/auth, tokens at POST /api/oauth2/token with client id and secret in the form body,
// access tokens for 10 minutes (expires_in 600) that may be refreshed only in their last 30 s (TooEarlyToRefreshTokens
// before), single-use refresh tokens (a second use is invalid_grant), divisions as the core's accounts
// (--Accounts=<division>=<company name>,…), the consent approving at once.
var builder = FakeApp.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData =
    [
        new("OAuth:AuthorizePath", "/api/oauth2/auth"),
        new("OAuth:TokenPath", "/api/oauth2/token"),
        new("OAuth:RevocationPath", ""),
        new("OAuth:AccessTokenLifetimeSeconds", "600"),
        new("OAuth:RefreshWindowSeconds", "30"),
        new("OAuth:RefreshTokens", "SingleUse"),
        new("OAuth:ClientAuthMethods", "client_secret_post"),
        new("OAuth:Pkce", "Unsupported"),
        new("OAuth:Consent", "Approve"),
        new("OAuth:AccountParameter", "division"),
    ],
});
builder.Services.AddFakeOAuthServer();
builder.Services.AddFakeState<ExactDivisions>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapFakeOAuthServer();
app.MapExactRestApi();
app.MapExactControlApi();

await FakeApp.RunAsync(app, "exact-online");
