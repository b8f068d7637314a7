using Integrations.Domain.Common;
using Integrations.Domain.ProductBridge;
using Shouldly;

namespace Integrations.Domain.UnitTests.ProductBridge;

public class ProductCallbackDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");

    private static ProductCallbackState Given(params IProductCallbackEvent[] events) => ProductCallbackDecider.Decider.Fold(events);

    private static IReadOnlyList<IProductCallbackEvent> When(ProductCallbackState state, ProductCallbackAction action) => ProductCallbackDecider.Decide(action, state);

    private static readonly ProductCallbackConfigured Configured = new(Tenant, "https://product.example.com/commands", "protected-1", Now);

    [Fact]
    public void The_first_configuration_starts_with_the_given_secret_and_the_same_url_again_changes_nothing()
    {
        When(ProductCallbackState.None, new ConfigureProductCallback(Tenant, "https://product.example.com/commands", "protected-1", Now)).ShouldBe([Configured]);
        When(Given(Configured), new ConfigureProductCallback(Tenant, "https://product.example.com/commands", "protected-2", Now.AddHours(1))).ShouldBeEmpty();
    }

    [Fact]
    public void A_new_url_keeps_the_secret()
    {
        var changed = When(Given(Configured), new ConfigureProductCallback(Tenant, "https://other.example.com/in", "protected-2", Now.AddHours(1)));

        changed.ShouldBe([new ProductCallbackUrlChanged(Tenant, "https://other.example.com/in", Now.AddHours(1))]);
        var state = Given([Configured, .. changed]);
        state.Url.ShouldBe("https://other.example.com/in");
        state.SigningSecrets(Now.AddHours(2)).ShouldBe(["protected-1"]);
    }

    [Fact]
    public void After_a_rotation_both_secrets_sign_until_the_overlap_ends()
    {
        var rotated = When(Given(Configured), new RotateProductCallbackSecret("protected-2", TimeSpan.FromHours(24), Now.AddHours(1))).Single();

        rotated.ShouldBe(new ProductCallbackSecretRotated(Tenant, "protected-2", Now.AddHours(25), Now.AddHours(1)));
        var state = Given(Configured, rotated);
        state.SigningSecrets(Now.AddHours(2)).ShouldBe(["protected-2", "protected-1"]);
        state.SigningSecrets(Now.AddHours(25)).ShouldBe(["protected-2"]);
    }

    [Fact]
    public void A_removed_callback_is_gone_and_configuring_again_starts_afresh()
    {
        var rotated = new ProductCallbackSecretRotated(Tenant, "protected-2", Now.AddHours(25), Now.AddHours(1));
        var removed = When(Given(Configured, rotated), new RemoveProductCallback(Now.AddHours(2))).Single();
        var gone = Given(Configured, rotated, removed);

        gone.Configured.ShouldBeFalse();
        Should.Throw<DomainException>(() => When(gone, new RemoveProductCallback(Now))).Code.ShouldBe("product_callback_not_found");
        Should.Throw<DomainException>(() => When(gone, new RotateProductCallbackSecret("p", TimeSpan.Zero, Now))).Code.ShouldBe("product_callback_not_found");
        var again = When(gone, new ConfigureProductCallback(Tenant, "https://product.example.com/commands", "protected-3", Now.AddHours(3)));
        Given([Configured, rotated, removed, .. again]).SigningSecrets(Now.AddHours(4)).ShouldBe(["protected-3"], "nothing of the old secrets");
    }
}
