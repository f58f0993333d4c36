namespace LoraLab.Engine.Data;

/// <summary>Why a record was left out of training.</summary>
public enum IssueKind
{
    InvalidJson,
    InvalidCsv,
    MissingField,
    WrongType,

    /// <summary>Nothing to learn: an empty output, completion, assistant message or text.</summary>
    EmptyCompletion,

    UnknownRole,
    NoAssistantTurn,

    /// <summary>The chat template cannot render the conversation (for example llama2 needs alternating roles).</summary>
    TemplateRejected,

    /// <summary>Longer than the maximum length with truncation off, or truncation would cut every completion token.</summary>
    TooLong,

    /// <summary>A JSONL line longer than the reader keeps (<see cref="DatasetFileReader.MaxLineChars"/>).</summary>
    LineTooLong,
}

/// <summary>One bad record.</summary>
/// <param name="Line">1-based: the JSONL line, the JSON array element, or the line where the CSV row starts.</param>
public sealed record DatasetIssue(int Line, IssueKind Kind, string Reason);
