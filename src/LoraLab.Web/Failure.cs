namespace LoraLab.Web;

public enum FailureKind { Invalid, NotFound, Conflict, TooLarge, Forbidden, Unavailable }

/// <summary>
/// Why a studio operation did not happen, worded for the person who asked: the API turns it into ProblemDetails,
/// pages show <see cref="Detail"/>. <see cref="FieldErrors"/> name the request fields that are wrong.
/// </summary>
public sealed record Failure(FailureKind Kind, string Title, string Detail, IReadOnlyDictionary<string, string[]>? FieldErrors = null)
{
    /// <summary>The title of a failure that is only about request fields, which forms show under the fields themselves.</summary>
    public const string InvalidRequestTitle = "The request is invalid";

    public static Failure NotFound(string what, int id) =>
        new(FailureKind.NotFound, $"{what} not found", $"There is no {what.ToLowerInvariant()} with id {id}.");

    public static Failure Conflict(string title, string detail) => new(FailureKind.Conflict, title, detail);

    /// <summary>The caller may see the record but not do this to it (or may not see it at all: a private dataset).</summary>
    public static Failure Forbidden(string title, string detail) => new(FailureKind.Forbidden, title, detail);

    public static Failure Invalid(string title, IReadOnlyDictionary<string, string[]> fieldErrors) =>
        new(FailureKind.Invalid, title, string.Join(" ", fieldErrors.SelectMany(e => e.Value)), fieldErrors);

    public static Failure InvalidField(string field, string message) =>
        Invalid(InvalidRequestTitle, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A value, or the <see cref="Failure"/> that prevented it.</summary>
public readonly record struct Result<T>(T? Value, Failure? Failure)
{
    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Failure failure) => new(default, failure);
}
