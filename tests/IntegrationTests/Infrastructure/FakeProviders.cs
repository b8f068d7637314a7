using System.Net.Http.Json;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// The generic OAuth 2.0 provider fake (tests/Fakes/OAuth2Provider) as a process. Arguments configure
/// it at start-up (tests/Fakes/README.md), e.g. <c>--Client:Id=app --Client:Secret=s --OAuth:Consent=Approve</c>;
/// <see cref="Control"/> changes it at run time.
/// </summary>
public sealed class OAuthProviderFake : IAsyncDisposable
{
    private OAuthProviderFake(FakeProcess process)
    {
        Process = process;
        Control = new OAuthFakeControl(process.CreateClient());
    }

    public FakeProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    public OAuthFakeControl Control { get; }

    public static async Task<OAuthProviderFake> StartAsync(params string[] arguments) =>
        new(await FakeProcess.StartAsync("OAuth2Provider", arguments));

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>A message the SMTP catcher received: the envelope, and the headers and bodies MimeKit parsed.</summary>
public sealed record CaughtMail(
    string Id,
    DateTimeOffset ReceivedAt,
    string EnvelopeFrom,
    List<string> EnvelopeTo,
    List<CaughtMail.Mailbox> From,
    List<CaughtMail.Mailbox> To,
    List<CaughtMail.Mailbox> Cc,
    string Subject,
    string? MessageId,
    string? Text,
    string? Html,
    List<CaughtMail.Header> Headers,
    List<CaughtMail.Attachment> Attachments)
{
    public sealed record Mailbox(string? Name, string Address);

    public sealed record Header(string Name, string Value);

    public sealed record Attachment(string? FileName, string ContentType);

    public string? HeaderValue(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
}

/// <summary>The SMTP catcher fake (tests/Fakes/SmtpCatcher) as a process: a real SMTP server whose mail the tests read over HTTP.</summary>
public sealed class SmtpCatcherFake : IAsyncDisposable
{
    private readonly HttpClient _http;

    private SmtpCatcherFake(FakeProcess process)
    {
        Process = process;
        _http = process.CreateClient(TimeSpan.FromMinutes(3));
        Control = process.Control;
        SmtpHost = process.Ready.GetProperty("smtp_host").GetString()!;
        SmtpPort = process.Ready.GetProperty("smtp_port").GetInt32();
    }

    public FakeProcess Process { get; }

    public FakeControl Control { get; }

    public string SmtpHost { get; }

    public int SmtpPort { get; }

    public static async Task<SmtpCatcherFake> StartAsync(params string[] arguments) =>
        new(await FakeProcess.StartAsync("SmtpCatcher", arguments));

    /// <summary>The messages matching the filters; with <paramref name="waitFor"/>, waits up to <paramref name="timeout"/> until that many match.</summary>
    public async Task<IReadOnlyList<CaughtMail>> MessagesAsync(string? to = null, string? subject = null, int? waitFor = null, TimeSpan? timeout = null)
    {
        var query = new List<string>();
        if (to is not null) query.Add("to=" + Uri.EscapeDataString(to));
        if (subject is not null) query.Add("subject=" + Uri.EscapeDataString(subject));
        if (waitFor is not null) query.Add($"wait_for={waitFor}&timeout_ms={(int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds}");
        var page = await _http.GetFromJsonAsync<Page>("/messages" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), FakeControl.Json);
        return page!.Data;
    }

    /// <summary>The message as it arrived (message/rfc822).</summary>
    public Task<string> RawAsync(string id) => _http.GetStringAsync($"/messages/{Uri.EscapeDataString(id)}/raw");

    public async Task ClearAsync() => (await _http.DeleteAsync("/messages")).EnsureSuccessStatusCode();

    /// <summary>The next <paramref name="count"/> messages are answered with an SMTP error (451: try again later; 550: refused) and not kept.</summary>
    public async Task FailNextAsync(int code, int count = 1, string message = "Injected failure") =>
        (await _http.PostAsJsonAsync("/_fake/smtp/faults", new { code, count, message }, FakeControl.Json)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }

    private sealed record Page(List<CaughtMail> Data);
}
