using Integrations.Domain.Common;
using Integrations.Domain.Email;
using Shouldly;

namespace Integrations.Domain.UnitTests.Email;

public class EmailAddressDeciderTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T23:00:00Z");
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid Address = Guid.NewGuid();
    private const string Token = "0123456789abcdef0123456789abcdef";

    private static CreateEmailAddress Create(string entityType = "ticket", string token = Token) => new(Tenant, Address, token, entityType, true, Now);

    [Fact]
    public void A_new_address_is_created_with_its_token_and_settings()
    {
        var created = EmailAddressDecider.Decide(Create(), EmailAddressState.None).ShouldHaveSingleItem().ShouldBeOfType<EmailAddressCreated>();
        created.ShouldBe(new EmailAddressCreated(Tenant, Address, Token, "ticket", true, Now));
        EmailAddressDecider.Decider.Fold([created]).ShouldBe(new EmailAddressState(Tenant, Address, true, false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Ticket")]
    [InlineData("1ticket")]
    [InlineData("tick et")]
    public void An_entity_type_that_is_not_a_plain_lower_case_name_is_refused(string entityType) =>
        Should.Throw<DomainException>(() => EmailAddressDecider.Decide(Create(entityType), EmailAddressState.None)).Code.ShouldBe("invalid_value");

    [Fact]
    public void A_token_that_is_not_128_bits_of_hex_is_refused() =>
        Should.Throw<DomainException>(() => EmailAddressDecider.Decide(Create(token: "support"), EmailAddressState.None)).Code.ShouldBe("invalid_value");

    [Fact]
    public void An_address_is_created_once() =>
        Should.Throw<DomainException>(() => EmailAddressDecider.Decide(Create(), EmailAddressDecider.Decider.Fold(EmailAddressDecider.Decide(Create(), EmailAddressState.None))))
            .Code.ShouldBe("email_address_exists");

    [Fact]
    public void Revoking_marks_it_revoked_and_revoking_again_changes_nothing()
    {
        var state = EmailAddressDecider.Decider.Fold(EmailAddressDecider.Decide(Create(), EmailAddressState.None));
        var revoked = EmailAddressDecider.Decide(new RevokeEmailAddress(Now), state).ShouldHaveSingleItem().ShouldBeOfType<EmailAddressRevoked>();
        revoked.ShouldBe(new EmailAddressRevoked(Tenant, Address, Now));
        var after = EmailAddressDecider.Evolve(state, revoked);
        after.Revoked.ShouldBeTrue();
        EmailAddressDecider.Decide(new RevokeEmailAddress(Now), after).ShouldBeEmpty();
    }

    [Fact]
    public void An_address_that_does_not_exist_cannot_be_revoked() =>
        Should.Throw<DomainException>(() => EmailAddressDecider.Decide(new RevokeEmailAddress(Now), EmailAddressState.None)).Code.ShouldBe("email_address_not_found");
}
