using System.Text.Json.Nodes;
using Integrations.Fakes.Common;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.ExactOnline;

/// <summary>A record of one division: an account (<c>crm/Accounts</c>) or a sales invoice, as the fields Exact answers.</summary>
public sealed record ExactRecord(Guid Id, int Division, JsonObject Fields);

/// <summary>What one call did to the division's limits (support.exactonline.com "API rate limits").</summary>
/// <param name="Refused">Why the call is refused (429), or null when it may go.</param>
public sealed record LimitState(int MinutelyLimit, int MinutelyRemaining, long MinutelyResetMs, int DailyLimit, int DailyRemaining, long DailyResetMs, string? Refused);

/// <summary>
/// The fake's data per division: accounts, sales invoices, and the calls each division took of its limits
/// (Exact: 60 per minute and 5,000 per day per company and app, <c>--Exact:MinutelyLimit</c>, <c>--Exact:DailyLimit</c>).
/// The minute resets on the minute; the day at midnight UTC, or when the control API says (<see cref="SetDay"/>).
/// </summary>
public sealed class ExactDivisions(IConfiguration configuration) : IFakeResettable
{
    private readonly object _gate = new();
    private readonly List<ExactRecord> _accounts = [];
    private readonly List<ExactRecord> _invoices = [];
    private readonly Dictionary<(int Division, long Minute), int> _minutes = [];
    private readonly Dictionary<int, int> _dayUsed = [];
    private DateTimeOffset? _dayResetAt;
    private int? _minutelyLimit;
    private int? _dailyLimit;
    private int? _forcedDayUsed;
    private int _nextInvoiceNumber = 26_100_001;
    private int _nextAccountCode = 1;

    public void Reset()
    {
        lock (_gate)
        {
            _accounts.Clear();
            _invoices.Clear();
            _minutes.Clear();
            _dayUsed.Clear();
            _dayResetAt = null;
            _minutelyLimit = null;
            _dailyLimit = null;
            _forcedDayUsed = null;
            _nextInvoiceNumber = 26_100_001;
            _nextAccountCode = 1;
        }
    }

    /// <summary>Counts a call of the division in its minute and day; a call over either limit is refused and counts for neither.</summary>
    public LimitState TakeCall(int division, DateTimeOffset now)
    {
        lock (_gate)
        {
            var dayReset = DayResetAt(now);
            var minutely = _minutelyLimit ?? configuration.GetValue("Exact:MinutelyLimit", 60);
            var daily = _dailyLimit ?? configuration.GetValue("Exact:DailyLimit", 5000);
            var minute = now.ToUnixTimeMilliseconds() / 60_000;
            var minuteUsed = _minutes.GetValueOrDefault((division, minute));
            // A day the control API said is (nearly) used up counts from there for every division until its reset.
            var dayUsed = Math.Max(_dayUsed.GetValueOrDefault(division), _forcedDayUsed ?? 0);
            var refused = dayUsed >= daily ? "daily" : minuteUsed >= minutely ? "minutely" : null;
            if (refused is null)
            {
                _minutes[(division, minute)] = ++minuteUsed;
                _dayUsed[division] = ++dayUsed;
            }
            return new LimitState(minutely, Math.Max(0, minutely - minuteUsed), (minute + 1) * 60_000, daily, Math.Max(0, daily - dayUsed),
                dayReset.ToUnixTimeMilliseconds(), refused);
        }
    }

    /// <summary>The control API: limits, and how many calls remain of the day (every division) until when.</summary>
    public void SetDay(int? minutelyLimit, int? dailyLimit, int? dailyRemaining, DateTimeOffset? resetAt, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (minutelyLimit is not null) _minutelyLimit = minutelyLimit;
            if (dailyLimit is not null) _dailyLimit = dailyLimit;
            if (resetAt is not null) _dayResetAt = resetAt;
            DayResetAt(now);
            if (dailyRemaining is { } remaining)
            {
                _dayUsed.Clear();
                _forcedDayUsed = Math.Max(0, (_dailyLimit ?? configuration.GetValue("Exact:DailyLimit", 5000)) - remaining);
            }
        }
    }

    public ExactRecord AddAccount(int division, JsonObject fields, DateTimeOffset now)
    {
        lock (_gate)
        {
            var id = Guid.NewGuid();
            fields["ID"] = id.ToString();
            fields["Division"] = division;
            // Exact's account codes: 18 characters, right-aligned digits.
            fields["Code"] = (_nextAccountCode++).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(18);
            fields["Created"] = ODataDate(now);
            var record = new ExactRecord(id, division, fields);
            _accounts.Add(record);
            return record;
        }
    }

    public ExactRecord AddInvoice(int division, JsonObject fields, DateTimeOffset now)
    {
        lock (_gate)
        {
            var id = Guid.NewGuid();
            fields["InvoiceID"] = id.ToString();
            fields["InvoiceNumber"] = _nextInvoiceNumber++;
            fields["Division"] = division;
            fields["Status"] = 20; // Open (a draft until processed)
            fields["Created"] = ODataDate(now);
            var record = new ExactRecord(id, division, fields);
            _invoices.Add(record);
            return record;
        }
    }

    public IReadOnlyList<ExactRecord> Accounts(int? division)
    {
        lock (_gate) return _accounts.Where(a => division is null || a.Division == division).ToList();
    }

    public IReadOnlyList<ExactRecord> Invoices(int? division)
    {
        lock (_gate) return _invoices.Where(a => division is null || a.Division == division).ToList();
    }

    /// <summary>Exact's JSON dates: <c>/Date(ms)/</c>.</summary>
    public static string ODataDate(DateTimeOffset at) => $"/Date({at.ToUnixTimeMilliseconds()})/";

    private DateTimeOffset DayResetAt(DateTimeOffset now)
    {
        if (_dayResetAt is { } reset && reset > now) return reset;
        // A new day: every division's count starts again.
        if (_dayResetAt is not null) _dayUsed.Clear();
        _forcedDayUsed = null;
        _dayResetAt = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return _dayResetAt.Value;
    }
}
