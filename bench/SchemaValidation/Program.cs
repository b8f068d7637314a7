using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Bench.SchemaValidation.Baseline;
using Integrations.Domain.EventTypes;
using Integrations.Infrastructure.EventTypes;
using Json.Schema;

// Event data validation on the ingestion path (ADR 0011): JsonSchema.Net with our dialect, as shipped
// (CatalogEventSchemaValidator), against the hand-written JsonSchemaSubset it replaced (copied under
// Baseline/), in the same run, on one thread: the catalog's samples (valid) and failing payloads.
// Then JsonSchema.Net's raw evaluation in each output format, to show which is cheapest.
//   bench/run.sh SchemaValidation [-- seconds-per-measurement rounds]
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
var duration = TimeSpan.FromSeconds(seconds);

static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

var valid = EventTypeCatalog.All.Select(t => (Type: t.Name, Data: Parse(t.Sample))).ToArray();
var failing = new (string Type, string Data)[]
{
    ("invoice.paid", """{"invoice_id": "in_1", "currency": "EUR"}"""),
    ("invoice.paid", """{"invoice_id": "in_1", "amount_cents": "42", "currency": "EUR"}"""),
    ("invoice.failed", """{"invoice_id": "in_1", "amount_cents": 1, "currency": "eur"}"""),
    ("user.invited", """{"user_id": 7}"""),
    ("entity.updated", """{"entity_id": "e1", "changed_fields": ["title", 3]}"""),
    ("entity.updated", """{"entity_id": "e1", "changed_fields": ["dueDate"], "changes": {"dueDate": "2026-12-01"}}"""),
    ("subscription.created", """{"subscription_id": "s1", "plan": "pro", "status": "frozen"}"""),
    ("invoice.paid", """{"amount_cents": true}"""),
}.Select(p => (p.Type, Data: Parse(p.Data))).ToArray();

var baseline = EventTypeCatalog.All.ToDictionary(t => t.Name, t => JsonSchemaSubsetBaseline.Compile(t.Schema));
IReadOnlyList<SchemaViolation> Old(string type, JsonElement data) => baseline[type].Validate(data).Take(CatalogEventSchemaValidator.MaxViolations).ToList();
var shipped = new CatalogEventSchemaValidator();
IReadOnlyList<SchemaViolation> New(string type, JsonElement data) => shipped.Validate(type, data);

// Both must find the same (fields and messages), or the comparison means nothing.
foreach (var (type, data) in valid.Concat(failing))
{
    var (old, @new) = (Old(type, data).Select(v => $"{v.Path}: {v.Message}").Order().ToList(), New(type, data).Select(v => $"{v.Path}: {v.Message}").Order().ToList());
    if (!old.SequenceEqual(@new))
        throw new InvalidOperationException($"{type} {data}: the baseline finds [{string.Join("; ", old)}], JsonSchema.Net [{string.Join("; ", @new)}]");
}

var raw = EventTypeCatalog.All.ToDictionary(t => t.Name, t => JsonSchema.Build(Parse(t.Schema), EventSchemaDialect.BuildOptions()));
EvaluationOptions Format(OutputFormat format) => new() { OutputFormat = format };
var formats = new[] { OutputFormat.Flag, OutputFormat.List, OutputFormat.Hierarchical };

long sink = 0;
Func<int> Each((string Type, JsonElement Data)[] payloads, Func<string, JsonElement, int> validate) => () =>
{
    foreach (var (type, data) in payloads) sink += validate(type, data);
    return payloads.Length;
};

var cases = new List<(string Name, Func<int> Batch)>
{
    ("valid/old", Each(valid, (t, d) => Old(t, d).Count)),
    ("valid/new", Each(valid, (t, d) => New(t, d).Count)),
    ("failing/old", Each(failing, (t, d) => Old(t, d).Count)),
    ("failing/new", Each(failing, (t, d) => New(t, d).Count)),
};
foreach (var format in formats)
{
    var options = Format(format);
    cases.Add(($"valid/{format}", Each(valid, (t, d) => raw[t].Evaluate(d, options).IsValid ? 0 : 1)));
    cases.Add(($"failing/{format}", Each(failing, (t, d) => raw[t].Evaluate(d, options).IsValid ? 0 : 1)));
}

// Rates are per CPU-second of the validating thread, not per wall-clock second: on a machine that
// others share, time spent descheduled would otherwise count as validation time.
(double PerSecond, double Bytes) Measure(Func<int> batch)
{
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed < duration / 4) batch();
    long count = 0;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var cpu = ThreadCpu.Seconds();
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed < duration) count += batch();
    return (count / (ThreadCpu.Seconds() - cpu), (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)count);
}

var samples = cases.ToDictionary(c => c.Name, _ => new List<(double PerSecond, double Bytes)>());
for (var round = 0; round < rounds; round++)
    foreach (var (name, batch) in cases)
        samples[name].Add(Measure(batch));
(double PerSecond, double Bytes) Median(string name) => samples[name].OrderBy(s => s.PerSecond).ElementAt(rounds / 2);

string Rate((double PerSecond, double Bytes) m) => $"{m.PerSecond,11:N0}/s {m.Bytes,8:N0} B";
string Row(string label, string set)
{
    var (old, @new) = (Median($"{set}/old"), Median($"{set}/new"));
    return $"  {label,-34}{Rate(old)}   {Rate(@new)}   {@new.PerSecond / old.PerSecond,5:F2}×   {1e6 / @new.PerSecond,6:F1} µs";
}
string FormatRow(string label, string set) =>
    $"  {label,-34}" + string.Join("   ", formats.Select(f => Rate(Median($"{set}/{f}"))));

Console.WriteLine($"""
    Event data validation, one thread, {rounds} rounds of {seconds:F1} s per case (median round; per CPU-second of the thread; B = bytes allocated per validation)
                                        JsonSchemaSubset (old)          JsonSchema.Net (shipped)        new/old   new, each
    {Row($"catalog samples ({valid.Length}, valid)", "valid")}
    {Row($"failing payloads ({failing.Length})", "failing")}

    JsonSchema.Net's evaluation alone, by output format (no findings read)
                                        Flag                            List                            Hierarchical
    {FormatRow("catalog samples (valid)", "valid")}
    {FormatRow("failing payloads", "failing")}
    (checksum {sink})
    """);

internal static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec time);

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, Linux).</summary>
    public static double Seconds() => ClockGettime(3, out var time) == 0 ? time.Seconds + time.Nanoseconds / 1e9 : throw new InvalidOperationException("clock_gettime failed");
}
