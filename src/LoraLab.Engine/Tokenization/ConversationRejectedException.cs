namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A chat template refuses a conversation (roles that do not alternate, a template's own raise_exception): the
/// conversation is wrong, not the code. Its message is the sentence to show, with no parameter name appended.
/// </summary>
public sealed class ConversationRejectedException(string message, Exception? inner = null) : ArgumentException(message, inner);
