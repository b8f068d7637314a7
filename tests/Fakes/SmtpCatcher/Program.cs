using Integrations.Fakes.Common;
using Integrations.Fakes.SmtpCatcher;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The SMTP catcher: a real SMTP server (the SmtpServer package) on a loopback port that keeps every
// message in memory, parsed with MimeKit, and shows them over HTTP (tests/Fakes/README.md).
//   --Smtp:Port=2525   (default: a free port, announced in the ready line as smtp_port)
var builder = FakeApp.CreateBuilder(args);
builder.Services.AddFakeState<MailStore>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapMessages();

var smtp = await SmtpListener.StartAsync(
    app.Services.GetRequiredService<MailStore>(), app.Configuration.GetValue("Smtp:Port", 0), app.Lifetime.ApplicationStopping);
await FakeApp.RunAsync(app, "smtp-catcher", new Dictionary<string, object?> { ["smtp_host"] = "127.0.0.1", ["smtp_port"] = smtp.Port });
await smtp.StopAsync();
