namespace Integrations.Domain.Webhooks;

/// <summary>What one HTTP attempt to deliver a webhook came to.</summary>
public sealed record AttemptOutcome(int? StatusCode, string? ErrorKind, TimeSpan? RetryAfter)
{
    public bool Succeeded => IsSuccess(StatusCode);

    /// <summary>Success is a 2xx answer; no answer (a timeout, a refused connection) is a failure.</summary>
    public static bool IsSuccess(int? statusCode) => statusCode is >= 200 and < 300;

    /// <summary>410 Gone: the receiver asks us to stop sending to this URL.</summary>
    public bool Gone => StatusCode == 410;
}

public abstract record NextStep
{
    public sealed record Done : NextStep;

    public sealed record RetryAt(DateTimeOffset At) : NextStep;

    public sealed record DeadLetter(string Reason) : NextStep;
}

/// <summary>
/// Retries follow the schedule (default 1 min, 5 min, 30 min: three retries, then failed) with
/// ±10 % jitter so endpoints that failed together do not retry in lockstep. A 429 or 503 with
/// Retry-After is honoured when it asks for longer (capped at a day); a 410 is final.
/// </summary>
public static class RetryPolicy
{
    public static readonly IReadOnlyList<TimeSpan> DefaultSchedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30)];
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);
    public const double Jitter = 0.10;

    /// <param name="attempt">1 for the first attempt of the current cycle.</param>
    /// <param name="random">A number in [0, 1) that picks the jitter: injected so the policy stays pure.</param>
    public static NextStep Next(int attempt, AttemptOutcome outcome, IReadOnlyList<TimeSpan> schedule, DateTimeOffset now, double random)
    {
        if (outcome.Succeeded) return new NextStep.Done();
        if (outcome.Gone) return new NextStep.DeadLetter("gone");
        if (attempt > schedule.Count) return new NextStep.DeadLetter("retries_exhausted");

        var planned = schedule[attempt - 1];
        var delay = planned * (1 + Jitter * (2 * random - 1));
        if (outcome is { StatusCode: 429 or 503, RetryAfter: { } asked } && asked > delay)
            delay = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        return new NextStep.RetryAt(now + delay);
    }

    /// <summary>Parses "1s,2s,3s" / "1m,5m,30m" / "00:01:00,00:05:00" (configuration format).</summary>
    public static IReadOnlyList<TimeSpan> ParseSchedule(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Select(ParseDelay).ToList();
    }

    private static TimeSpan ParseDelay(string part)
    {
        if (TimeSpan.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var exact) && part.Contains(':')) return exact;
        var unit = part[^1];
        if (!double.TryParse(part[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0)
            throw new FormatException($"Invalid retry delay '{part}': use e.g. 30s, 5m, 1h or hh:mm:ss.");
        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => throw new FormatException($"Invalid retry delay '{part}': use e.g. 30s, 5m, 1h or hh:mm:ss."),
        };
    }
}
