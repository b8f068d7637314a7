using System.Text;
using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class TeamsTabLinkTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a-tab-signing-key-of-32-characters!!");
    private static readonly Guid Tenant = Guid.Parse("0193a1b2-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static (string Tenant, string Expires, string Sig) Link(DateTimeOffset expires)
    {
        var q = TeamsTabLink.Query(Key, Tenant, expires).Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (q["tenant"]!, q["expires"]!, q["sig"]!);
    }

    [Fact]
    public void A_link_it_signed_holds_until_it_expires()
    {
        var (tenant, expires, sig) = Link(Now.AddDays(1));

        TeamsTabLink.Check(Key, tenant, expires, sig, Now).ShouldBe((Tenant, null));
        TeamsTabLink.Check(Key, tenant, expires, sig, Now.AddDays(1)).ShouldBe((null, "expired_link"));
    }

    [Fact]
    public void Any_change_or_another_key_breaks_it()
    {
        var (tenant, expires, sig) = Link(Now.AddDays(1));

        TeamsTabLink.Check(Key, Guid.NewGuid().ToString(), expires, sig, Now).Refusal.ShouldBe("invalid_link");
        TeamsTabLink.Check(Key, tenant, (long.Parse(expires) + 1).ToString(), sig, Now).Refusal.ShouldBe("invalid_link");
        TeamsTabLink.Check(Key, tenant, expires, new string('0', 64), Now).Refusal.ShouldBe("invalid_link");
        TeamsTabLink.Check(Encoding.UTF8.GetBytes("another-key-of-at-least-32-characters"), tenant, expires, sig, Now).Refusal.ShouldBe("invalid_link");
    }

    [Theory]
    [InlineData(null, "1", "x")]
    [InlineData("not-a-guid", "1", "x")]
    [InlineData("0193a1b2-0000-7000-8000-000000000001", "-5", "x")]
    [InlineData("0193a1b2-0000-7000-8000-000000000001", "1", null)]
    public void A_malformed_link_is_invalid(string? tenant, string? expires, string? sig) =>
        TeamsTabLink.Check(Key, tenant, expires, sig, Now).Refusal.ShouldBe("invalid_link");
}
