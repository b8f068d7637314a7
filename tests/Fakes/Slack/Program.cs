using Integrations.Fakes.Common;
using Integrations.Fakes.Slack;

// The Slack fake: OAuth v2 (authorize, oauth.v2.access with rotating single-use refresh tokens) and
// the Web API methods the platform calls (auth.test, conversations.list, chat.postMessage), with
// slash commands' response_url, and Slack's error shape — HTTP 200 and {"ok":false,"error":…} — and per-channel 429s with Retry-After.
// Settings (tests/Fakes/README.md): --Client:Id=… --Client:Secret=… --Teams=T0001=Acme,T0002=Globex
//   --Channels=3 --TokenRotation=true --ChannelInterval=00:00:01
var builder = FakeApp.CreateBuilder(args);
builder.Services.AddFakeState<SlackWorkspace>();
builder.Services.AddFakeState<SlackResponseUrls>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapSlackOAuth();
app.MapSlackWebApi();
app.MapSlackControlApi();
app.Services.GetRequiredService<SlackResponseUrls>().Map(app);

await FakeApp.RunAsync(app, "slack");
