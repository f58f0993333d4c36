namespace LoraLab.Engine.Peft.Methods;

/// <summary>
/// One wrong method setting: its snake_case field as <see cref="MethodOptions"/> serialises it (r, target_modules, …),
/// or "method" for an error about the settings as a whole, and the sentence saying why, with the offending value.
/// </summary>
public sealed record MethodFieldError(string Field, string Message)
{
    /// <summary>The field name of an error about the method's settings as a whole.</summary>
    public const string Whole = "method";
}
