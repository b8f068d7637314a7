using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure;

/// <summary>UTC now, truncated to microseconds: what PostgreSQL's timestamptz keeps, so values round-trip exactly.</summary>
public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow => ToMicroseconds(DateTimeOffset.UtcNow);

    /// <summary>The instant without the 100 ns ticks that PostgreSQL's timestamptz does not keep.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % 10));
}
