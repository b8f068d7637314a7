using System.Security.Cryptography;
using System.Text;
using Integrations.Infrastructure.Security;
using Integrations.Infrastructure.Security.Keys;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>The envelope format of credential records on its own (ADR 0014), with the attacks it must refuse.</summary>
public class CredentialEnvelopeTests
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid Connection = Guid.NewGuid();
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("""{"kind":"oauth2","access_token":"at_planted_secret"}""");

    private static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private static CredentialEnvelope Envelope(byte[] current, params byte[][] previous) =>
        new(new LocalKeyEncryptionKeyProvider(new PlatformKeyRing(current, previous)));

    private static Task<SealedCredential> SealAsync(CredentialEnvelope envelope, Guid? tenant = null, Guid? connection = null) =>
        envelope.SealAsync(tenant ?? Tenant, connection ?? Connection, Plaintext, CancellationToken.None);

    private static Task<CryptographicException> ShouldNotOpenAsync(CredentialEnvelope envelope, SealedCredential record, string? because = null) =>
        Should.ThrowAsync<CryptographicException>(() => envelope.OpenAsync(Tenant, Connection, record, CancellationToken.None), because);

    private static byte[] Flipped(byte[] bytes, int index, byte bits = 0x01)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= bits;
        return copy;
    }

    [Fact]
    public async Task A_sealed_record_opens_again_and_each_seal_has_its_own_data_key_and_nonce()
    {
        var kek = NewKey();
        var envelope = Envelope(kek);

        var first = await SealAsync(envelope);
        var second = await SealAsync(envelope);

        (await envelope.OpenAsync(Tenant, Connection, first, CancellationToken.None)).ShouldBe(Plaintext);
        (await envelope.OpenAsync(Tenant, Connection, second, CancellationToken.None)).ShouldBe(Plaintext);
        first.KeyId.ShouldBe(PlatformKeyRing.KeyId(kek));
        first.WrappedKey.ShouldNotBe(second.WrappedKey, "a fresh data key per record");
        first.Ciphertext.ShouldNotBe(second.Ciphertext);
        first.Ciphertext[0].ShouldBe(CredentialEnvelope.FormatVersion);
        first.Ciphertext.Length.ShouldBe(1 + 12 + Plaintext.Length + 16, "format | nonce | ciphertext | tag");
        first.WrappedKey.Length.ShouldBe(12 + 32 + 16, "nonce | data key | tag");
        Encoding.UTF8.GetString(first.Ciphertext).ShouldNotContain("at_planted_secret");
        first.Ciphertext.AsSpan().IndexOf(Encoding.UTF8.GetBytes("at_planted")).ShouldBe(-1);
    }

    [Fact]
    public async Task A_record_copied_to_another_connection_or_tenant_does_not_open()
    {
        var envelope = Envelope(NewKey());
        var sealedRecord = await SealAsync(envelope);

        await Should.ThrowAsync<CryptographicException>(() => envelope.OpenAsync(Tenant, Guid.NewGuid(), sealedRecord, CancellationToken.None));
        await Should.ThrowAsync<CryptographicException>(() => envelope.OpenAsync(Guid.NewGuid(), Connection, sealedRecord, CancellationToken.None));
        // Only the ciphertext moved, under the other row's own data key: the key does not fit.
        var other = await SealAsync(envelope, connection: Guid.NewGuid());
        await ShouldNotOpenAsync(envelope, sealedRecord with { WrappedKey = other.WrappedKey });
    }

    [Fact]
    public async Task Any_change_to_the_ciphertext_is_refused()
    {
        var envelope = Envelope(NewKey());
        var sealedRecord = await SealAsync(envelope);
        var length = sealedRecord.Ciphertext.Length;

        foreach (var index in new[] { 1, 12, 13, 20, length - 17, length - 1 })
            await ShouldNotOpenAsync(envelope, sealedRecord with { Ciphertext = Flipped(sealedRecord.Ciphertext, index) }, $"byte {index}");
        await ShouldNotOpenAsync(envelope, sealedRecord with { Ciphertext = sealedRecord.Ciphertext[..20] });
        (await ShouldNotOpenAsync(envelope, sealedRecord with { Ciphertext = Flipped(sealedRecord.Ciphertext, 0, 0x03) })).Message.ShouldContain("format 2");
    }

    [Fact]
    public async Task Any_change_to_the_wrapped_data_key_is_refused()
    {
        var envelope = Envelope(NewKey());
        var sealedRecord = await SealAsync(envelope);

        foreach (var index in new[] { 0, 12, 30, sealedRecord.WrappedKey.Length - 1 })
            await ShouldNotOpenAsync(envelope, sealedRecord with { WrappedKey = Flipped(sealedRecord.WrappedKey, index, 0x80) }, $"byte {index}");
        await ShouldNotOpenAsync(envelope, sealedRecord with { WrappedKey = sealedRecord.WrappedKey[..28] });
    }

    [Fact]
    public async Task An_unknown_key_id_or_the_wrong_kek_cannot_open_a_record()
    {
        var kek = NewKey();
        var other = NewKey();
        var sealedRecord = await SealAsync(Envelope(kek));

        var unknown = await ShouldNotOpenAsync(Envelope(other), sealedRecord);
        unknown.Message.ShouldContain(PlatformKeyRing.KeyId(kek));
        unknown.Message.ShouldContain("Secrets:PreviousEncryptionKeys");
        await ShouldNotOpenAsync(Envelope(kek), sealedRecord with { KeyId = "0badc0de" });
        // Relabelled to another configured KEK: the wrapped key names its KEK in its associated data.
        await ShouldNotOpenAsync(Envelope(kek, other), sealedRecord with { KeyId = PlatformKeyRing.KeyId(other) });
    }

    [Fact]
    public async Task After_a_rotation_old_records_open_with_the_previous_kek_and_a_rewrap_moves_them_onto_the_current_one()
    {
        var oldKek = NewKey();
        var newKek = NewKey();
        var sealedRecord = await SealAsync(Envelope(oldKek));
        var rotated = Envelope(newKek, oldKek);

        (await rotated.OpenAsync(Tenant, Connection, sealedRecord, CancellationToken.None)).ShouldBe(Plaintext);
        var rewrapped = await rotated.RewrapAsync(sealedRecord.KeyId, sealedRecord.WrappedKey, CancellationToken.None);

        rewrapped.KeyId.ShouldBe(PlatformKeyRing.KeyId(newKek));
        var moved = sealedRecord with { KeyId = rewrapped.KeyId, WrappedKey = rewrapped.WrappedKey };
        (await Envelope(newKek).OpenAsync(Tenant, Connection, moved, CancellationToken.None)).ShouldBe(Plaintext, "the old KEK is no longer needed");
        (await SealAsync(rotated)).KeyId.ShouldBe(PlatformKeyRing.KeyId(newKek));
    }
}
