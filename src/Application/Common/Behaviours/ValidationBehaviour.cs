using System.Text.Json;
using FluentValidation;
using MediatR;
using ValidationError = Integrations.Application.Common.Exceptions.ValidationError;
using ValidationException = Integrations.Application.Common.Exceptions.ValidationException;

namespace Integrations.Application.Common.Behaviours;

/// <summary>
/// Marks a failure whose property name is already the field path the API reports, such as a path
/// into tenant-supplied JSON whose keys must not be re-cased.
/// </summary>
public static class FieldNames
{
    public static readonly object Verbatim = new();
}

/// <summary>Runs every FluentValidation validator of the request; failures never reach the handler.</summary>
public sealed class ValidationBehaviour<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var failures = new List<ValidationError>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(new ValidationContext<TRequest>(request), cancellationToken);
            failures.AddRange(result.Errors.Select(f => new ValidationError(f.CustomState == FieldNames.Verbatim ? f.PropertyName : FieldName(f.PropertyName), Code(f), f.ErrorMessage)));
        }
        if (failures.Count > 0) throw new ValidationException(failures);
        return await next();
    }

    // The API speaks snake_case; "Data.Amount" becomes "data.amount".
    internal static string FieldName(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));

    private static string Code(FluentValidation.Results.ValidationFailure failure) =>
        failure.ErrorCode is { Length: > 0 } code && !code.EndsWith("Validator", StringComparison.Ordinal)
            ? code
            : failure.ErrorCode switch
            {
                "NotEmptyValidator" or "NotNullValidator" => "required",
                "MaximumLengthValidator" or "LengthValidator" => "too_long",
                _ => "invalid",
            };
}
