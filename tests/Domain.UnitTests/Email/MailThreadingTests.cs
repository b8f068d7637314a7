using Integrations.Domain.Email;
using Shouldly;

namespace Integrations.Domain.UnitTests.Email;

public class MailThreadingTests
{
    private const string Domain = "in.example.com";
    private const string Token = "0123456789abcdef0123456789abcdef";
    private const string Thread = "00112233445566778899aabb";

    [Fact]
    public void A_recipient_of_ours_is_its_token_and_the_domain_is_compared_without_regard_to_case()
    {
        MailThreading.ParseRecipient($"{Token}@IN.Example.com", Domain).ShouldBe(new MailRecipient(Token, null));
        MailThreading.ParseRecipient($"{Token.ToUpperInvariant()}@{Domain}", Domain).ShouldBe(new MailRecipient(Token, null));
    }

    [Fact]
    public void A_plus_address_names_the_thread_and_a_plus_part_that_is_no_thread_token_is_ignored()
    {
        MailThreading.ParseRecipient($"{Token}+{Thread}@{Domain}", Domain).ShouldBe(new MailRecipient(Token, Thread));
        MailThreading.ParseRecipient($"{Token}+newsletter@{Domain}", Domain).ShouldBe(new MailRecipient(Token, null));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef@other.example.com")]
    [InlineData("support@in.example.com")]
    [InlineData("@in.example.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_ours(string? address) => MailThreading.ParseRecipient(address, Domain).ShouldBeNull();

    [Fact]
    public void The_address_is_built_back_with_and_without_the_thread()
    {
        MailThreading.Address(Token, null, Domain).ShouldBe($"{Token}@{Domain}");
        MailThreading.Address(Token, Thread, Domain).ShouldBe($"{Token}+{Thread}@{Domain}");
        MailThreading.ParseRecipient(MailThreading.Address(Token, MailThreading.NewThreadToken(), Domain), Domain)!.ThreadToken.ShouldNotBeNull();
        ($"{Token}+{MailThreading.NewThreadToken()}").Length.ShouldBeLessThanOrEqualTo(64);
    }

    [Fact]
    public void Referenced_ids_are_in_reply_to_first_then_references_newest_first_without_brackets_each_once() =>
        MailThreading.ReferencedIds(["<c@x>"], ["<a@x>", "<b@x>", " <c@x> "]).ShouldBe(["c@x", "b@x", "a@x"]);

    [Fact]
    public void The_first_known_reference_chooses_the_thread_before_the_plus_address()
    {
        var (one, two, plus) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var ids = MailThreading.ReferencedIds(["b@x"], ["a@x"]);
        MailThreading.Choose(ids, new Dictionary<string, Guid> { ["a@x"] = one, ["b@x"] = two }, plus).ShouldBe(new ThreadChoice.Existing(two, MailThreading.ByReference));
        MailThreading.Choose(ids, new Dictionary<string, Guid> { ["a@x"] = one }, plus).ShouldBe(new ThreadChoice.Existing(one, MailThreading.ByReference));
        MailThreading.Choose(ids, new Dictionary<string, Guid>(), plus).ShouldBe(new ThreadChoice.Existing(plus, MailThreading.ByPlusAddress));
        MailThreading.Choose(ids, new Dictionary<string, Guid>(), null).ShouldBeOfType<ThreadChoice.New>();
    }

    [Fact]
    public void A_mail_is_identified_by_its_message_id_or_else_by_its_bytes()
    {
        MailThreading.Identity("<m1@x>", [1, 2]).ShouldBe("m1@x");
        MailThreading.Identity(null, [1, 2]).ShouldBe(MailThreading.Identity("  ", [1, 2]));
        MailThreading.Identity(null, [1, 2]).ShouldStartWith("sha256:");
        MailThreading.Identity(null, [1, 2]).ShouldNotBe(MailThreading.Identity(null, [1, 3]));
    }

    [Fact]
    public void Command_ids_are_the_same_for_the_same_mail_and_differ_by_address_mail_and_command()
    {
        var address = Guid.NewGuid();
        MailThreading.CommandId(address, "m1@x", "entity.create").ShouldBe(MailThreading.CommandId(address, "m1@x", "entity.create"));
        MailThreading.CommandId(address, "m1@x", "entity.create").ShouldNotBe(MailThreading.CommandId(address, "m2@x", "entity.create"));
        MailThreading.CommandId(address, "m1@x", "entity.create").ShouldNotBe(MailThreading.CommandId(Guid.NewGuid(), "m1@x", "entity.create"));
        MailThreading.CommandId(address, "m1@x", "entity.create").ShouldNotBe(MailThreading.CommandId(address, "m1@x", "comment.add"));
    }

    [Fact]
    public void A_reply_references_the_originals_references_and_then_the_original()
    {
        MailThreading.ReplyReferences(["<a@x>", "<b@x>"], "<c@x>").ShouldBe(["a@x", "b@x", "c@x"]);
        MailThreading.ReplyReferences([], "<c@x>").ShouldBe(["c@x"]);
        var many = Enumerable.Range(0, 30).Select(i => $"m{i}@x").ToList();
        var trimmed = MailThreading.ReplyReferences(many, "last@x");
        trimmed.Count.ShouldBe(20);
        trimmed[0].ShouldBe("m0@x");
        trimmed[^1].ShouldBe("last@x");
    }
}
