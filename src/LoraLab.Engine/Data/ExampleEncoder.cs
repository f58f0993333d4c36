using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Data;

/// <summary>Longest example in tokens, and whether longer ones are cut to it (keeping the start) or left out.</summary>
public sealed record EncodingOptions(int MaxLength, bool Truncate = true);

/// <summary>
/// Renders records through the model's chat template and tokenizes them, marking the tokens the model learns to produce.
/// <para>
/// A conversation is rendered as one text and encoded without added special tokens, as Hugging Face's
/// <c>apply_chat_template</c> and this engine's generation encode a chat prompt (the llama2/llama3 templates write BOS
/// themselves). Each assistant turn's tokens are found by rendering and encoding the conversation up to it, not by
/// searching the text: the turn starts where the encoding of the prompt up to it (with the generation prompt) stops
/// agreeing with the whole, and ends where the encoding of the conversation through it does. Where a token merges
/// across the start of an answer, it is learned with the answer, so no answer text escapes the loss. A template that
/// renders an earlier answer differently once later turns follow (Qwen3 drops its reasoning) has no such prefix, and
/// the conversation is rejected rather than masked wrongly.
/// </para>
/// <para>
/// Stopping: generation ends at a token, so the model must learn to emit one after every answer. When the template
/// closes the assistant turn with a token the tokenizer marks special (chatml's &lt;|im_end|&gt;, llama3's
/// &lt;|eot_id|&gt;, llama2's &lt;/s&gt;), that token ends the turn's completion and is learned; what the template puts
/// after it (chatml's line break) belongs to the next prompt. When the turn ends in plain text (alpaca), the tokenizer's
/// EOS is inserted after the answer and learned. Raw text gets the tokenizer's own special tokens and an EOS at its end,
/// so that packed documents are told apart.
/// </para>
/// </summary>
public sealed class ExampleEncoder
{
    readonly ITextTokenizer tokenizer;
    readonly ChatTemplate template;
    readonly EncodingOptions options;

    public ExampleEncoder(ITextTokenizer tokenizer, ChatTemplate template, EncodingOptions options)
    {
        if (options.MaxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, "MaxLength must be at least 2: one token is needed to predict another");
        this.tokenizer = tokenizer;
        this.template = template;
        this.options = options;
    }

    public EncodedDataset EncodeAll(IEnumerable<DatasetRecord> records)
    {
        var examples = new List<EncodedExample>();
        var issues = new List<DatasetIssue>();
        foreach (var record in records)
        {
            if (Encode(record, out var issue) is { } example) examples.Add(example);
            else issues.Add(issue!);
        }
        return new EncodedDataset(examples, issues);
    }

    /// <returns>The example, or null with <paramref name="issue"/> set.</returns>
    /// <exception cref="InvalidOperationException">A turn ends in plain text and the tokenizer has no EOS: the model could not learn to stop.</exception>
    public EncodedExample? Encode(DatasetRecord record, out DatasetIssue? issue)
    {
        issue = null;
        var (ids, completion) = (new List<int>(), new List<bool>());
        if (record.Text is not null) AppendRawText(record.Text, ids, completion);
        else
        {
            try
            {
                AppendConversation(record.Messages!, ids, completion);
            }
            catch (ConversationRejectedException rejected)
            {
                issue = new DatasetIssue(record.Line, IssueKind.TemplateRejected, rejected.Message);
                return null;
            }
        }
        return Fit(record.Line, ids, completion, out issue);
    }

    void AppendRawText(string text, List<int> ids, List<bool> completion)
    {
        ids.AddRange(tokenizer.Encode(text, addSpecialTokens: true));
        if (tokenizer.EosIds.Count > 0 && (ids.Count == 0 || !tokenizer.EosIds.Contains(ids[^1]))) ids.Add(tokenizer.EosIds[0]);
        completion.AddRange(Enumerable.Repeat(true, ids.Count));
    }

    void AppendConversation(IReadOnlyList<ChatMessage> messages, List<int> ids, List<bool> completion)
    {
        string wholeText = Render(messages, messages.Count, addGenerationPrompt: false);
        var whole = tokenizer.Encode(wholeText, addSpecialTokens: false);
        int copied = 0;
        for (int turn = 0; turn < messages.Count; turn++)
        {
            if (messages[turn].Role != "assistant") continue;
            string throughTurn = Render(messages, turn + 1, addGenerationPrompt: false);
            if (!wholeText.StartsWith(throughTurn, StringComparison.Ordinal))
                throw new ConversationRejectedException(
                    $"the {template.Name} chat template renders assistant turn {turn + 1} differently once later messages follow "
                    + "(as Qwen3's drops the reasoning of earlier answers), so the tokens it learns cannot be told apart; "
                    + "split the conversation so that each example ends with the answer to learn");
            int start = Math.Max(copied, CommonPrefixLength(Encode(messages, turn, addGenerationPrompt: true), whole));
            int end = Math.Max(start, CommonPrefixLength(tokenizer.Encode(throughTurn, addSpecialTokens: false), whole));
            int closing = LastSpecial(whole, start, end);
            if (closing >= 0) end = closing + 1;

            Copy(whole, copied, start, isCompletion: false, ids, completion);
            Copy(whole, start, end, isCompletion: true, ids, completion);
            if (closing < 0)
            {
                ids.Add(Eos());
                completion.Add(true);
            }
            copied = end;
        }
        Copy(whole, copied, whole.Count, isCompletion: false, ids, completion);
    }

    IReadOnlyList<int> Encode(IReadOnlyList<ChatMessage> messages, int count, bool addGenerationPrompt) =>
        tokenizer.Encode(Render(messages, count, addGenerationPrompt), addSpecialTokens: false);

    string Render(IReadOnlyList<ChatMessage> messages, int count, bool addGenerationPrompt) =>
        template.Render(messages.Take(count).ToList(), addGenerationPrompt);

    static int CommonPrefixLength(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        int n = 0;
        while (n < a.Count && n < b.Count && a[n] == b[n]) n++;
        return n;
    }

    int LastSpecial(IReadOnlyList<int> ids, int start, int end)
    {
        for (int i = end - 1; i >= start; i--)
            if (tokenizer.IsSpecial(ids[i])) return i;
        return -1;
    }

    int Eos() => tokenizer.EosIds.Count > 0
        ? tokenizer.EosIds[0]
        : throw new InvalidOperationException(
            $"the {template.Name} chat template ends an assistant turn in plain text and the tokenizer has no EOS token: a fine-tuned model could not learn to stop");

    static void Copy(IReadOnlyList<int> source, int from, int to, bool isCompletion, List<int> ids, List<bool> completion)
    {
        for (int i = from; i < to; i++)
        {
            ids.Add(source[i]);
            completion.Add(isCompletion);
        }
    }

    EncodedExample? Fit(int line, List<int> ids, List<bool> completion, out DatasetIssue? issue)
    {
        issue = null;
        int max = options.MaxLength;
        if (ids.Count <= max) return new EncodedExample(line, [.. ids], [.. completion], Truncated: false);
        if (!options.Truncate)
        {
            issue = new DatasetIssue(line, IssueKind.TooLong, $"{ids.Count} tokens, more than the maximum length {max} (truncation is off)");
            return null;
        }
        int firstCompletion = completion.IndexOf(true);
        if (firstCompletion >= max)
        {
            issue = new DatasetIssue(line, IssueKind.TooLong,
                $"{ids.Count} tokens and the completion starts at token {firstCompletion + 1}: truncating to the maximum length {max} would leave nothing to learn");
            return null;
        }
        return new EncodedExample(line, ids.Take(max).ToArray(), completion.Take(max).ToArray(), Truncated: true);
    }
}
