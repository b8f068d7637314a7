using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Fakes.Common.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.ExactOnline;

/// <summary>
/// The Exact Online REST subset the platform calls (start.exactonline.nl/docs/HlpRestAPIResources.aspx), behind the OAuth
/// core's bearer tokens. OData v2 JSON: a single record under <c>d</c>, a list under <c>d.results</c>.
/// <list type="bullet">
/// <item><c>GET /api/v1/current/Me</c> ("current/Me"): the user, with <c>CurrentDivision</c> (the token's division) and
/// <c>DivisionCustomerName</c>.</item>
/// <item><c>GET /api/v1/{division}/crm/Accounts?$filter=…</c> and <c>POST</c> ("crm/Accounts"): <c>Name</c> is mandatory;
/// <c>SearchCode</c> at most 30 characters.</item>
/// <item><c>GET /api/v1/{division}/salesinvoice/SalesInvoices?$filter=…</c> and <c>POST</c> ("salesinvoice/SalesInvoices"):
/// <c>Journal</c> and <c>OrderedBy</c> (an account of the division) are mandatory, <c>YourRef</c> at most 30 characters,
/// each of <c>SalesInvoiceLines</c> needs an <c>Item</c>; <c>VATCode</c> one of the division's codes, <c>GLAccount</c> a GUID.</item>
/// </list>
/// A filter is one <c>Field eq 'text'</c> (quotes doubled) on the fields listed per resource. A division the user may not
/// use is 403. Errors in Exact's OData v2 shape <c>{"error":{"code":"","message":{"lang":"","value":"…"}}}</c> (what
/// picqer/exact-php-client's Connection reads, <c>error.message.value</c>; Exact's own page was not at hand). Every answer
/// carries the limits' headers (support.exactonline.com "API rate limits", as quoted by docs.maesn.com/rate-limits and
/// forums.invantive.com): <c>X-RateLimit-Minutely-Limit</c>, <c>-Remaining</c>, <c>-Reset</c> and the day's
/// <c>X-RateLimit-Limit</c>, <c>-Remaining</c>, <c>-Reset</c>, resets in epoch milliseconds; a call over either limit is
/// <c>429</c>. (Exact may send the day's headers only on some answers; the fake sends both on every one.)
/// </summary>
public static partial class ExactRestApi
{
    private static readonly JsonSerializerOptions ExactJson = new(JsonSerializerDefaults.General);
    private static readonly string[] VatCodes = ["0", "1", "2", "3", "4", "5"];

    public static void MapExactRestApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").RequireFakeAuthentication();
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var account = ResourceAuthentication.AccountOf(http);
            var division = int.Parse(account.Id, CultureInfo.InvariantCulture);
            var limits = http.RequestServices.GetRequiredService<ExactDivisions>().TakeCall(division, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
            var headers = http.Response.Headers;
            headers["X-RateLimit-Minutely-Limit"] = Text(limits.MinutelyLimit);
            headers["X-RateLimit-Minutely-Remaining"] = Text(limits.MinutelyRemaining);
            headers["X-RateLimit-Minutely-Reset"] = Text(limits.MinutelyResetMs);
            headers["X-RateLimit-Limit"] = Text(limits.DailyLimit);
            headers["X-RateLimit-Remaining"] = Text(limits.DailyRemaining);
            headers["X-RateLimit-Reset"] = Text(limits.DailyResetMs);
            if (limits.Refused is { } which)
                return Error(429, which == "daily" ? "API rate limit exceeded: the daily limit of this company is used up." : "API rate limit exceeded: too many calls this minute.");
            return await next(context);
        });

        api.MapGet("/current/Me", (HttpContext context, TimeProvider clock) =>
        {
            var account = ResourceAuthentication.AccountOf(context);
            var division = int.Parse(account.Id, CultureInfo.InvariantCulture);
            return List([new JsonObject
            {
                ["__metadata"] = new JsonObject { ["uri"] = "/api/v1/current/Me(guid'3f1b8c2e-0000-4000-8000-000000000001')", ["type"] = "Exact.Web.Api.System.Me" },
                ["UserID"] = "3f1b8c2e-0000-4000-8000-000000000001", ["UserName"] = "demo@example.com", ["FullName"] = "Demo User",
                ["CurrentDivision"] = division, ["DivisionCustomerName"] = account.Name, ["LanguageCode"] = "nl-NL",
            }]);
        });

        api.MapGet("/{division:int}/crm/Accounts", (int division, HttpContext context, ExactDivisions data) =>
            Division(context, division) ?? Find(context, data.Accounts(division), ["ID", "Code", "SearchCode", "Name", "Email"]));
        api.MapGet("/{division:int}/salesinvoice/SalesInvoices", (int division, HttpContext context, ExactDivisions data) =>
            Division(context, division) ?? Find(context, data.Invoices(division), ["InvoiceID", "InvoiceNumber", "YourRef", "OrderedBy"]));

        api.MapPost("/{division:int}/crm/Accounts", async (int division, HttpContext context, ExactDivisions data, TimeProvider clock) =>
        {
            if (Division(context, division) is { } refused) return refused;
            if (await BodyAsync(context) is not { } body) return Error(400, "Error reading JSON: the body is not a JSON object.");
            if (Text(body["Name"]) is not { Length: > 0 and <= 100 }) return Error(400, "Mandatory: Name");
            if (Text(body["SearchCode"]) is { Length: > 30 }) return Error(400, "SearchCode: the value is too long (30).");
            return Created(data.AddAccount(division, body, clock.GetUtcNow()));
        });

        api.MapPost("/{division:int}/salesinvoice/SalesInvoices", async (int division, HttpContext context, ExactDivisions data, TimeProvider clock) =>
        {
            if (Division(context, division) is { } refused) return refused;
            if (await BodyAsync(context) is not { } body) return Error(400, "Error reading JSON: the body is not a JSON object.");
            if (Text(body["Journal"]) is not { Length: > 0 }) return Error(400, "Mandatory: Journal");
            if (!Guid.TryParse(Text(body["OrderedBy"]), out var orderedBy) || data.Accounts(division).All(a => a.Id != orderedBy))
                return Error(400, "Ordered by: the account does not exist.");
            if (Text(body["YourRef"]) is { Length: > 30 }) return Error(400, "YourRef: the value is too long (30).");
            if (body["SalesInvoiceLines"] is not JsonArray lines || lines.Count == 0) return Error(400, "Mandatory: SalesInvoiceLines");
            foreach (var line in lines)
            {
                if (line is not JsonObject item || !Guid.TryParse(Text(item["Item"]), out _)) return Error(400, "Mandatory: Item");
                if (Text(item["VATCode"]) is { } vat && !VatCodes.Contains(vat)) return Error(400, $"VAT code: {vat} does not exist.");
                if (item["GLAccount"] is { } gl && !Guid.TryParse(Text(gl), out _)) return Error(400, "G/L account: not a valid GUID.");
            }
            // The lines as Exact keeps them: a list under results, each with its amount.
            var kept = new JsonArray();
            foreach (var line in lines.Cast<JsonObject>())
            {
                var copy = (JsonObject)line.DeepClone();
                var quantity = (decimal?)copy["Quantity"] ?? 1m;
                copy["AmountFC"] = quantity * ((decimal?)copy["UnitPrice"] ?? 0m);
                kept.Add(copy);
            }
            body["SalesInvoiceLines"] = new JsonObject { ["results"] = kept };
            body["AmountFC"] = kept.Sum(l => (decimal)l!["AmountFC"]!);
            return Created(data.AddInvoice(division, body, clock.GetUtcNow()));
        });
    }

    /// <summary>403 for a division the user may not use: the fake's user may use every division it knows (its accounts).</summary>
    private static IResult? Division(HttpContext context, int division)
    {
        var server = context.RequestServices.GetRequiredService<Integrations.Fakes.Common.OAuth.OAuthServer>();
        return server.Accounts.Any(a => a.Id == division.ToString(CultureInfo.InvariantCulture)) ? null : Error(403, "Forbidden");
    }

    private static IResult Find(HttpContext context, IReadOnlyList<ExactRecord> records, string[] filterable)
    {
        var filter = context.Request.Query["$filter"].ToString();
        IEnumerable<ExactRecord> found = records;
        if (filter.Length > 0)
        {
            var match = FilterExpression().Match(filter);
            if (!match.Success || !filterable.Contains(match.Groups["field"].Value))
                return Error(400, $"The $filter is not supported here: {filter}");
            var field = match.Groups["field"].Value;
            var value = match.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
            found = records.Where(r => string.Equals(r.Fields[field]?.ToString().Trim(), value, StringComparison.OrdinalIgnoreCase));
        }
        var select = context.Request.Query["$select"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return List(found.Select(r => select.Length == 0
            ? (JsonObject)r.Fields.DeepClone()
            : new JsonObject(select.Where(r.Fields.ContainsKey).Select(f => KeyValuePair.Create(f, r.Fields[f]?.DeepClone())))).ToList());
    }

    private static IResult List(IReadOnlyList<JsonObject> results) =>
        Results.Json(new JsonObject { ["d"] = new JsonObject { ["results"] = new JsonArray([.. results]) } }, ExactJson);

    private static IResult Created(ExactRecord record) =>
        Results.Json(new JsonObject { ["d"] = record.Fields.DeepClone() }, ExactJson, statusCode: StatusCodes.Status201Created);

    private static async Task<JsonObject?> BodyAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Exact's OData error: <c>{"error":{"code":"","message":{"lang":"","value":"…"}}}</c>.</summary>
    public static IResult Error(int status, string message) =>
        Results.Json(new { error = new { code = "", message = new { lang = "", value = message } } }, ExactJson, statusCode: status);

    [GeneratedRegex("^(?<field>[A-Za-z]+) eq '(?<value>(?:[^']|'')*)'$")]
    private static partial Regex FilterExpression();
}
