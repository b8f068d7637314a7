using System.Diagnostics;
using System.Text.Json;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// Checks a received webhook with the npm package standardwebhooks (tests/webhook-verifier, pinned;
/// installed by scripts/bootstrap.sh): an implementation of the specification that is not ours.
/// </summary>
public static class StandardWebhooksVerifier
{
    private static readonly string Directory = Path.Combine(Infrastructure.TestEnvironment.RepositoryRoot(), "tests", "webhook-verifier");

    /// <returns>"verified", or "rejected: reason".</returns>
    public static async Task<string> VerifyAsync(SinkRequest request, string secret, byte[]? body = null)
    {
        if (!File.Exists(Path.Combine(Directory, "node_modules", "standardwebhooks", "package.json")))
            throw new InvalidOperationException($"The verifier is not installed: run scripts/bootstrap.sh (npm ci in {Directory}).");

        var input = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["secret"] = secret,
            ["headers"] = new Dictionary<string, string>
            {
                ["webhook-id"] = request.Headers["webhook-id"],
                ["webhook-timestamp"] = request.Headers["webhook-timestamp"],
                ["webhook-signature"] = request.Headers["webhook-signature"],
            },
            ["body_base64"] = Convert.ToBase64String(body ?? request.Body),
        });
        var start = new ProcessStartInfo("node", ["verify.js"])
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(input);
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (output + errors).Trim();
    }
}
