using System.Text;
using System.Text.RegularExpressions;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Docs;

/// <summary>
/// The signature examples of the docs (docs/api/examples/verify-signature.*) verify a test vector;
/// CI runs them. This checks that the platform itself signs that vector the same way, so the
/// examples teach what deliveries really carry.
/// </summary>
public class SignatureExampleTests
{
    [Fact]
    public void The_docs_test_vector_is_signed_by_the_platform_exactly_as_the_examples_verify_it()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Integrations.sln"))) root = root.Parent!;
        var example = File.ReadAllText(Path.Combine(root.FullName, "docs/api/examples/verify-signature.py"));
        string Value(string name) => Regex.Match(example, $@"^{name} = b?""?'?(.+?)'?""?$", RegexOptions.Multiline).Groups[1].Value;

        var signature = WebhookSignature.Sign(Value("message_id"), long.Parse(Value("timestamp")), Encoding.UTF8.GetBytes(Value("body")),
            WebhookSignature.SecretKey(Value("secret")));

        signature.ShouldBe(Value("header"));
    }
}
