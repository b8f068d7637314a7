using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Integrations.Domain.Connectors.ExactOnline;

/// <summary>What an <c>exact.sales_invoice</c> route maps: the division, the sales journal, the item every line sells, and our VAT and revenue codes to Exact's.</summary>
/// <param name="Division">Exact's division (administration) the invoices go to; null: the connection's current division.</param>
/// <param name="Journal">The code of Exact's sales journal (Exact's demo and most administrations: <c>70</c>).</param>
/// <param name="Item">The GUID of the Exact item each line sells (Exact requires an item on a sales invoice line).</param>
/// <param name="VatCodes">Our VAT code → Exact's VAT code (<c>"high": "2"</c>).</param>
/// <param name="GlAccounts">Our revenue code → the GUID of Exact's G/L account.</param>
public sealed record ExactInvoiceSettings(
    int? Division, string Journal, string Item, IReadOnlyDictionary<string, string> VatCodes, string? DefaultVatCode,
    IReadOnlyDictionary<string, string> GlAccounts, string? DefaultGlAccount);

/// <summary>One step of the work of an <c>exact.sales_invoice</c> call, named in the call's carry.</summary>
public enum ExactInvoiceStep
{
    /// <summary><c>GET salesinvoice/SalesInvoices?$filter=YourRef eq '…'</c>: made already (a redelivered event)?</summary>
    FindInvoice,
    /// <summary><c>GET crm/Accounts?$filter=SearchCode eq '…'</c>: the customer, by our id.</summary>
    FindAccount,
    /// <summary><c>POST crm/Accounts</c>: the customer made.</summary>
    CreateAccount,
    /// <summary><c>POST salesinvoice/SalesInvoices</c>: the invoice, with its lines.</summary>
    CreateInvoice,
}

/// <summary>
/// An invoice of ours as an Exact Online sales invoice (ADR 0031), in four requests at most, each the next
/// call of the one before (the runtime's follow-up calls): find the invoice by our id in <c>YourRef</c> (a
/// redelivered event makes nothing twice), find the customer by our id in the account's <c>SearchCode</c>,
/// make the customer if Exact has none, then post the invoice with its lines. The event is
/// <c>entity.created</c> with <c>entity_type</c> <c>invoice</c>:
/// <code>
/// { "entity_id": "inv_1001", "entity_type": "invoice", "attributes": {
///     "currency": "EUR", "description": "December", "invoice_date": "2026-12-07",
///     "customer": { "id": "cus_42", "name": "Acme BV", "email": "billing@acme.example", "vat_number": "NL…", "country": "NL" },
///     "lines": [ { "description": "Seats", "quantity": 3, "unit_price": 25.5, "vat_code": "high", "gl_account": "revenue" } ] } }
/// </code>
/// Exact's REST API (start.exactonline.nl/docs/HlpRestAPIResources.aspx): OData v2, answers under <c>d</c>
/// (<c>d.results</c> for a list); <c>YourRef</c> and <c>SearchCode</c> hold at most 30 characters. Pure.
/// </summary>
public static partial class ExactSalesInvoice
{
    public const string Action = "exact.sales_invoice";
    public const string AccountType = "exact.account";
    public const string InvoiceType = "exact.sales_invoice";
    public const int MaxReferenceLength = 30;
    public const int MaxLines = 200;

    /// <summary>Where the division's API is: the route's division, or the connection's account (the current division).</summary>
    public static string DivisionPath(ExactInvoiceSettings settings, string accountSegment) =>
        "/api/v1/" + (settings.Division?.ToString(CultureInfo.InvariantCulture) ?? accountSegment);

    /// <summary>The work an event asks for, or null when it names no invoice to make (no id, no customer id, no lines, ids too long for Exact).</summary>
    public static JsonObject? Plan(ExactInvoiceSettings settings, JsonElement data)
    {
        if (Text(data, "entity_id") is not { Length: > 0 and <= MaxReferenceLength } invoiceId
            || !data.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object
            || !attributes.TryGetProperty("customer", out var customer) || customer.ValueKind != JsonValueKind.Object
            || Text(customer, "id") is not { Length: > 0 and <= MaxReferenceLength } customerId
            || !attributes.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array || lines.GetArrayLength() is 0 or > MaxLines)
            return null;
        var invoiceLines = new JsonArray();
        foreach (var line in lines.EnumerateArray())
        {
            if (line.ValueKind != JsonValueKind.Object) return null;
            var exactLine = new JsonObject { ["Item"] = settings.Item, ["Quantity"] = Number(line, "quantity") ?? 1m };
            if (Text(line, "description") is { Length: > 0 } description) exactLine["Description"] = Cut(description, 60);
            if (Number(line, "unit_price") is { } price) exactLine["UnitPrice"] = price;
            if (Mapped(Text(line, "vat_code"), settings.VatCodes, settings.DefaultVatCode) is { } vat) exactLine["VATCode"] = vat;
            if (Mapped(Text(line, "gl_account"), settings.GlAccounts, settings.DefaultGlAccount) is { } gl) exactLine["GLAccount"] = gl;
            invoiceLines.Add(exactLine);
        }
        var invoice = new JsonObject { ["Journal"] = settings.Journal, ["YourRef"] = invoiceId };
        if (Text(attributes, "currency") is { Length: 3 } currency) invoice["Currency"] = currency.ToUpperInvariant();
        if (Text(attributes, "description") is { Length: > 0 } about) invoice["Description"] = Cut(about, 60);
        if (Text(attributes, "invoice_date") is { Length: > 0 } date) invoice["InvoiceDate"] = date;
        invoice["SalesInvoiceLines"] = invoiceLines;
        var account = new JsonObject { ["Name"] = Cut(Text(customer, "name") is { Length: > 0 } name ? name : customerId, 100), ["SearchCode"] = customerId, ["Status"] = "C" };
        if (Text(customer, "email") is { Length: > 0 } email) account["Email"] = email;
        if (Text(customer, "vat_number") is { Length: > 0 } vatNumber) account["VATNumber"] = vatNumber;
        if (Text(customer, "country") is { Length: 2 } country) account["Country"] = country.ToUpperInvariant();
        return new JsonObject
        {
            ["invoice_id"] = invoiceId, ["customer_id"] = customerId, ["account"] = account, ["invoice"] = invoice,
        };
    }

    /// <summary>The request of a step below <paramref name="divisionPath"/>: method, path and body (null for a GET).</summary>
    public static (string Method, string Path, JsonObject? Body) Request(ExactInvoiceStep step, JsonObject plan, string divisionPath, string? accountId = null) => step switch
    {
        ExactInvoiceStep.FindInvoice => ("GET", $"{divisionPath}/salesinvoice/SalesInvoices?$filter={Filter("YourRef", (string)plan["invoice_id"]!)}&$select=InvoiceID,InvoiceNumber", null),
        ExactInvoiceStep.FindAccount => ("GET", $"{divisionPath}/crm/Accounts?$filter={Filter("SearchCode", (string)plan["customer_id"]!)}&$select=ID,Name", null),
        ExactInvoiceStep.CreateAccount => ("POST", $"{divisionPath}/crm/Accounts", (JsonObject)plan["account"]!.DeepClone()),
        _ => ("POST", $"{divisionPath}/salesinvoice/SalesInvoices", WithCustomer((JsonObject)plan["invoice"]!.DeepClone(), accountId!)),
    };

    /// <summary>What follows a succeeded step, from its answer: the next step (with the customer's id once known), done, or why it cannot go on.</summary>
    public static ExactNext After(ExactInvoiceStep step, string? answer)
    {
        if (step == ExactInvoiceStep.CreateInvoice) return new ExactNext.Done();
        JsonElement d;
        try
        {
            if (answer is null || !JsonDocument.Parse(answer).RootElement.TryGetProperty("d", out d)) return new ExactNext.Refused($"Exact's answer to {step} has no \"d\".");
        }
        catch (JsonException)
        {
            return new ExactNext.Refused($"Exact's answer to {step} is not JSON.");
        }
        var first = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
            ? results.EnumerateArray().FirstOrDefault()
            : step == ExactInvoiceStep.CreateAccount ? d : default;
        return step switch
        {
            ExactInvoiceStep.FindInvoice => first.ValueKind == JsonValueKind.Object ? new ExactNext.Done() : new ExactNext.Step(ExactInvoiceStep.FindAccount, null),
            ExactInvoiceStep.FindAccount => Guid(first, "ID") is { } found ? new ExactNext.Step(ExactInvoiceStep.CreateInvoice, found) : new ExactNext.Step(ExactInvoiceStep.CreateAccount, null),
            _ => Guid(first, "ID") is { } made ? new ExactNext.Step(ExactInvoiceStep.CreateInvoice, made) : new ExactNext.Refused("Exact made the account but its answer names no ID."),
        };
    }

    /// <summary>The GUID an answer's excerpt names under <paramref name="field"/> (read as text: an excerpt may be cut mid-document).</summary>
    public static string? IdIn(string? excerpt, string field)
    {
        if (excerpt is null) return null;
        var match = IdField().Matches(excerpt).FirstOrDefault(m => m.Groups[1].Value == field);
        return match?.Groups[2].Value;
    }

    /// <summary>An OData v2 equality filter on text: quotes doubled, then the whole expression URL-escaped.</summary>
    public static string Filter(string field, string value) => Uri.EscapeDataString($"{field} eq '{value.Replace("'", "''", StringComparison.Ordinal)}'");

    private static JsonObject WithCustomer(JsonObject invoice, string accountId)
    {
        // OrderedBy is required; InvoiceTo defaults to it at Exact, set anyway so both are ours.
        invoice["OrderedBy"] = accountId;
        invoice["InvoiceTo"] = accountId;
        return invoice;
    }

    private static string? Mapped(string? ours, IReadOnlyDictionary<string, string> map, string? fallback) =>
        ours is not null && map.TryGetValue(ours, out var theirs) ? theirs : fallback;

    private static string? Guid(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out var id) && id.ValueKind == JsonValueKind.String
        && System.Guid.TryParse(id.GetString(), out var guid) ? guid.ToString() : null;

    private static string? Text(JsonElement element, string field) =>
        element.TryGetProperty(field, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static decimal? Number(JsonElement element, string field) =>
        element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number
        : element.TryGetProperty(field, out value) && value.ValueKind == JsonValueKind.String
          && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out number) ? number
        : null;

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];

    [GeneratedRegex("\"(ID|InvoiceID)\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"")]
    private static partial Regex IdField();
}

/// <summary>What follows a step of <see cref="ExactSalesInvoice"/>.</summary>
public abstract record ExactNext
{
    public sealed record Step(ExactInvoiceStep Next, string? AccountId) : ExactNext;

    public sealed record Done : ExactNext;

    public sealed record Refused(string Reason) : ExactNext;
}
