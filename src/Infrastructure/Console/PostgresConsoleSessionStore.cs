using Integrations.Application.ConsoleSessions;
using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Console;

public static class ConsolePersistenceServiceCollectionExtensions
{
    public static IServiceCollection AddConsolePersistence(this IServiceCollection services) =>
        services.AddScoped<IConsoleSessionStore, PostgresConsoleSessionStore>();
}

/// <summary>console_sessions (migration 0033), on the scope's session and transaction.</summary>
public sealed class PostgresConsoleSessionStore(DbSession session) : IConsoleSessionStore
{
    public Task InsertAsync(Guid id, Guid tenantId, string tokenHash, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken ct) =>
        session.RunAsync((c, t) => Sql.ExecuteAsync(c, t, """
            insert into console_sessions (id, tenant_id, token_hash, created_at, expires_at) values (@id, @tenant, @hash, @created, @expires)
            """, ct, ("id", id), ("tenant", tenantId), ("hash", tokenHash), ("created", Sql.Utc(createdAt)), ("expires", Sql.Utc(expiresAt))), ct);

    public Task<ConsoleSessionRedemption> RedeemAsync(string tokenHash, DateTimeOffset at, CancellationToken ct) =>
        session.RunAsync(async (c, t) =>
        {
            // The update decides: of two concurrent opens only one sees used_at null.
            await using (var redeem = Sql.Command(c, t, """
                update console_sessions set used_at = @at where token_hash = @hash and used_at is null and expires_at > @at returning id, tenant_id
                """, ("hash", tokenHash), ("at", Sql.Utc(at))))
            await using (var reader = await redeem.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct)) return new ConsoleSessionRedemption(ConsoleSessionOutcome.Redeemed, reader.GetGuid(0), reader.GetGuid(1));
            }
            await using var find = Sql.Command(c, t, "select used_at is not null from console_sessions where token_hash = @hash", ("hash", tokenHash));
            return await find.ExecuteScalarAsync(ct) switch
            {
                true => new ConsoleSessionRedemption(ConsoleSessionOutcome.AlreadyUsed),
                false => new ConsoleSessionRedemption(ConsoleSessionOutcome.Expired),
                _ => new ConsoleSessionRedemption(ConsoleSessionOutcome.Unknown),
            };
        }, ct);
}
