namespace Integrations.Application.Common.Exceptions;

/// <summary>One invalid field; <see cref="Field"/> uses the API's snake_case name.</summary>
public sealed record ValidationError(string Field, string Code, string Message);

public sealed class ValidationException(IReadOnlyList<ValidationError> errors)
    : Exception("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

public sealed class NotFoundException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public class ConflictException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The stream was changed by someone else since it was read. <see cref="Retryable"/> is true for a
/// race between writers (re-reading and re-deciding is safe) and false when the caller pinned a version.
/// </summary>
public sealed class ConcurrencyConflictException(string streamId, long expectedVersion, long? actualVersion, bool retryable)
    : ConflictException("concurrency_conflict",
        $"The resource was modified concurrently (expected version {expectedVersion}, found {actualVersion?.ToString() ?? "a newer one"}). Re-read it and try again.")
{
    public string StreamId { get; } = streamId;
    public long ExpectedVersion { get; } = expectedVersion;
    public long? ActualVersion { get; } = actualVersion;
    public bool Retryable { get; } = retryable;
}

public sealed class IdempotencyKeyReusedException()
    : ConflictException("idempotency_key_reused", "This Idempotency-Key was already used with a different request body.");

/// <summary>A concurrent request committed the same idempotency key first; the transaction is retried to replay its result.</summary>
public sealed class IdempotencyRaceException() : Exception("A concurrent request used the same idempotency key.");

public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>
/// Text the database cannot store: U+0000, which JSON and query strings can carry and PostgreSQL's
/// text and jsonb refuse. Bad input, not a fault; nothing of the request was written.
/// </summary>
public sealed class UnstorableTextException(Exception inner)
    : Exception("Text must not contain the character U+0000.", inner);

/// <summary>
/// A query parameter the endpoint does not accept, or one whose value does not parse (400
/// invalid_parameter). Values that parse but are not acceptable are a <see cref="ValidationException"/>.
/// </summary>
public sealed class InvalidParameterException(IReadOnlyList<ValidationError> errors)
    : Exception("Invalid query parameters: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

/// <summary>Failures that say the database is unavailable for a moment, not that the request was wrong.</summary>
public static class DatabaseFailures
{
    /// <summary>
    /// PostgreSQL restarting or shutting down (SQLSTATE 57P01–57P03), a lost connection (class 08),
    /// or anything the driver marks transient (a broken socket, a timeout), also when wrapped.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is System.Data.Common.DbException db &&
                (db.IsTransient || db.SqlState is { } state && (state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal))))
                return true;
        }
        return false;
    }

    /// <summary>
    /// A unique index refused a row (SQLSTATE 23505), also when wrapped: a read model's unique index
    /// (an address invited once per organisation) settling a race that the use case's own check,
    /// made before the other writer committed, could not see.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
            if (ex is System.Data.Common.DbException { SqlState: "23505" }) return true;
        return false;
    }
}
