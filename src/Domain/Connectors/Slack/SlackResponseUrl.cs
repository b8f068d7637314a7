namespace Integrations.Domain.Connectors.Slack;

/// <summary>
/// Whether a slash command's response_url may be posted to: an absolute URL without credentials,
/// with the scheme, host and port of the configured prefix (Slack's <c>https://hooks.slack.com/</c>)
/// and a path under it. The request is signed, but a leaked signing secret must not be able to aim
/// our posts at another host.
/// </summary>
public static class SlackResponseUrl
{
    public static bool Allowed(string responseUrl, string prefix) =>
        Uri.TryCreate(responseUrl, UriKind.Absolute, out var url) && url.UserInfo.Length == 0
        && Uri.TryCreate(prefix, UriKind.Absolute, out var allowed)
        && url.Scheme == allowed.Scheme && url.Port == allowed.Port
        && string.Equals(url.IdnHost, allowed.IdnHost, StringComparison.OrdinalIgnoreCase)
        // Uri has removed dot segments already: "/commands/../x" is "/x" here.
        && url.AbsolutePath.StartsWith(allowed.AbsolutePath, StringComparison.Ordinal);
}
