using System.Threading.Channels;
using LoraLab.Engine;
using LoraLab.Engine.Models;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Serving;
using LoraLab.Web.Devices;

namespace LoraLab.Web.Serving;

/// <summary>
/// The serving thread: one base model in memory with the adapters asked for loaded onto it, and a continuous batch per
/// network (the base's, shared by base, LoRA, DoRA and soft-prompt rows; one per adapter that needs its own copy).
/// Between decode steps it admits waiting requests (each choice a new row; the prompts admitted together are prefilled
/// together, <see cref="ContinuousBatch.Join(IReadOnlyList{JoinRequest})"/>), drops the rows of clients that went away,
/// then decodes one token for every row. A request for another base waits until the batch is empty,
/// then that base replaces the current one. Long work on a dedicated thread; a failing request never stops it.
/// </summary>
public sealed class ServingScheduler(TrainingDevices devices, ServingStats stats, ILogger<ServingScheduler> logger) : BackgroundService
{
    /// <summary>Rows decoded together at most; further requests wait in the queue.</summary>
    public const int MaxRows = 32;

    readonly Channel<ServingJob> incoming = Channel.CreateUnbounded<ServingJob>(new UnboundedChannelOptions { SingleReader = true });
    readonly List<ServingJob> waiting = [];
    readonly Dictionary<CausalLM, ContinuousBatch> batches = [];
    readonly Dictionary<BatchRow, (ServingJob Job, int Choice)> owners = [];
    SharedBaseModel? shared;
    int? sharedBaseId;

    readonly ManualResetEventSlim admission = new(initialState: true);

    /// <summary>
    /// Admits no new request until disposed (running rows go on decoding), so that requests queued meanwhile start in
    /// one batch: for an administrator draining the server, and for tests that need requests to meet.
    /// </summary>
    public IDisposable HoldAdmission()
    {
        admission.Reset();
        return new AdmissionHold(admission);
    }

    sealed class AdmissionHold(ManualResetEventSlim admission) : IDisposable
    {
        public void Dispose() => admission.Set();
    }

    /// <summary>Queues <paramref name="job"/>; its events say when it is admitted and what it generates.</summary>
    public void Submit(ServingJob job)
    {
        if (!incoming.Writer.TryWrite(job)) job.Fail(OpenAiError.Server("The studio is shutting down."));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Serve(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void Serve(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (owners.Count == 0 && waiting.Count == 0)
                {
                    stats.Queue(0, 0);
                    if (!incoming.Reader.WaitToReadAsync(stopping).AsTask().GetAwaiter().GetResult()) break;
                }
                while (incoming.Reader.TryRead(out var job)) waiting.Add(job);
                if (admission.IsSet) Admit();
                else if (owners.Count == 0)
                {
                    stats.Queue(waiting.Count, 0);
                    admission.Wait(TimeSpan.FromMilliseconds(20), stopping);
                    continue;
                }
                stats.Queue(waiting.Count, owners.Count);
                DropAbandonedRows();
                foreach (var batch in batches.Values.Where(b => b.Rows.Count > 0).ToArray()) Step(batch);
                stats.Queue(waiting.Count, owners.Count);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        finally
        {
            foreach (var job in waiting.Concat(owners.Values.Select(o => o.Job)).Distinct()) job.Fail(OpenAiError.Server("The studio is shutting down."));
            Evict();
        }
    }

    /// <summary>A request admitted at this pass: its choices join its network's batch with the others admitted with it.</summary>
    sealed record Admitted(ServingJob Job, ContinuousBatch Batch, JoinRequest[] Choices, Func<int, string> TokenText);

    void Admit()
    {
        var admitted = new List<Admitted>();
        foreach (var job in waiting.ToArray())
        {
            if (job.Cancellation.IsCancellationRequested)
            {
                waiting.Remove(job);
                job.Fail(OpenAiError.Invalid(null, "The client went away."));
                continue;
            }
            // First come, first served: a request for another base waits for the batch to drain, and those behind it wait too.
            int rows = owners.Count + admitted.Sum(a => a.Choices.Length);
            if (rows + job.Request.N > MaxRows) break;
            if (sharedBaseId != job.Model.Base.Id && rows > 0) break;
            waiting.Remove(job);
            try
            {
                if (Start(job) is { } start) admitted.Add(start);
            }
            catch (Exception e)
            {
                // A model folder that cannot be loaded or a request the engine refuses ends this request, not the thread.
                logger.LogWarning("Serving: request for {Model} refused: {Message}", job.Model.Id, e.Message);
                RemoveRowsOf(job);
                job.Fail(e is ArgumentException ? OpenAiError.Invalid(null, e.Message) : OpenAiError.Server($"'{job.Model.Id}' cannot be served: {e.Message}"));
            }
        }
        foreach (var group in admitted.GroupBy(a => a.Batch)) Join(group.Key, group.ToArray());
    }

    /// <summary>Checks and admits <paramref name="job"/>, or fails it (null) with OpenAI's error for what is wrong with it.</summary>
    Admitted? Start(ServingJob job)
    {
        var lm = Load(job.Model);
        var request = job.Request;
        var template = ServingDefaults.TemplateOf(lm);
        var prompt = request.Kind == CompletionKind.Chat
            ? lm.Tokenizer.Encode(template.Render(request.Messages!, addGenerationPrompt: true), addSpecialTokens: false)
            : lm.Tokenizer.Encode(request.Prompt!);
        var target = shared!.TargetOf(job.Model.LoadedName);
        int context = lm.Config.MaxPositionEmbeddings, virtualTokens = target.VirtualTokens?.Count ?? 0;
        var options = Enumerable.Range(0, request.N).Select(choice => ServingDefaults.SamplingFor(lm, request, prompt.Count + virtualTokens, choice)).ToArray();
        if (options[0].MaxNewTokens <= 0 || prompt.Count + virtualTokens + options[0].MaxNewTokens > context)
        {
            job.Fail(OpenAiError.Invalid(request.MaxTokens is null ? "messages" : "max_tokens",
                $"This model's maximum context length is {context} tokens; the prompt has {prompt.Count + virtualTokens} and {options[0].MaxNewTokens} were asked for.",
                "context_length_exceeded"));
            return null;
        }
        if (prompt.Count == 0) throw new ArgumentException("The prompt is empty: there is nothing to continue.");
        if (request.LogitBias.Keys.Where(id => id >= lm.Config.VocabSize).Select(id => (int?)id).FirstOrDefault() is { } outside)
        {
            job.Fail(OpenAiError.Invalid("logit_bias", $"'logit_bias' names token {outside}; '{job.Model.Id}' has {lm.Config.VocabSize} tokens (0 … {lm.Config.VocabSize - 1})."));
            return null;
        }

        var stopIds = request.Kind == CompletionKind.Chat ? lm.StopIds(template) : lm.EosIds;
        var batch = BatchOf(target.Network);
        var choices = options.Select(o => new JoinRequest(prompt, target.RoutedAdapter, o, stopIds, ids => lm.Tokenizer.Decode(ids), target.VirtualTokens, request.TopLogprobs)).ToArray();
        foreach (var choice in choices) batch.Validate(choice);
        job.PromptTokens = prompt.Count;
        job.ChoicesRunning = request.N;
        job.Send(new JobAdmitted(prompt.Count));
        return new Admitted(job, batch, choices, id => lm.Tokenizer.Decode([id], skipSpecialTokens: false));
    }

    /// <summary>
    /// The choices of the requests admitted together for one network join its batch in one call, their prompts prefilled
    /// together; if that fails (each request was checked alone, so a failure of the engine's), each of them ends with the error.
    /// </summary>
    void Join(ContinuousBatch batch, Admitted[] group)
    {
        IReadOnlyList<BatchRowStep> firsts;
        try
        {
            firsts = batch.Join(group.SelectMany(a => a.Choices).ToArray());
        }
        catch (Exception e)
        {
            logger.LogWarning("Serving: prefilling {Count} requests failed: {Message}", group.Length, e.Message);
            foreach (var a in group) a.Job.Fail(OpenAiError.Server($"'{a.Job.Model.Id}' cannot be served: {e.Message}"));
            return;
        }
        int k = 0;
        foreach (var a in group)
            for (int choice = 0; choice < a.Choices.Length; choice++)
            {
                owners[firsts[k].Row] = (a.Job, choice);
                Deliver(firsts[k++], a.TokenText);
            }
    }

    LanguageModel Load(ServedModel model)
    {
        if (sharedBaseId != model.Base.Id)
        {
            Evict();
            var device = devices.Roomiest();
            shared = SharedBaseModel.Open(model.Base.Folder, device);
            sharedBaseId = model.Base.Id;
            logger.LogInformation("Serving: base model {Model} loaded on {Device}.", model.Base.Name, device.Name);
        }
        if (model.Adapter is { } adapter && !shared!.Has(model.LoadedName!))
        {
            var placement = shared.Load(model.LoadedName!, adapter.Folder);
            logger.LogInformation("Serving: adapter {Adapter} loaded on {Model} ({Placement}).", adapter.Name, model.Base.Name, placement);
            loadedAdapters.Add(model.Id);
        }
        stats.Loaded(model.Base.Name, loadedAdapters);
        return shared!.Base;
    }

    readonly List<string> loadedAdapters = [];

    ContinuousBatch BatchOf(CausalLM network)
    {
        if (!batches.TryGetValue(network, out var batch)) batches[network] = batch = new ContinuousBatch(network);
        return batch;
    }

    void DropAbandonedRows()
    {
        foreach (var batch in batches.Values)
            foreach (var row in batch.Rows.ToArray())
                if (owners[row].Job.Cancellation.IsCancellationRequested)
                {
                    var (job, _) = owners[row];
                    batch.Remove(row);
                    Forget(row);
                    if (--job.ChoicesRunning == 0) job.Fail(OpenAiError.Invalid(null, "The client went away."));
                }
    }

    void Step(ContinuousBatch batch)
    {
        IReadOnlyList<BatchRowStep> steps;
        try
        {
            steps = batch.Step();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Serving: a decode step failed; its requests end with an error.");
            foreach (var job in batch.Rows.Select(r => owners[r].Job).Distinct().ToArray())
            {
                RemoveRowsOf(job);
                job.Fail(OpenAiError.Server($"Generation failed: {e.Message}"));
            }
            return;
        }
        var lm = shared!.Base;
        foreach (var step in steps) Deliver(step, id => lm.Tokenizer.Decode([id], skipSpecialTokens: false));
    }

    void Deliver(BatchRowStep step, Func<int, string> tokenText)
    {
        var (job, choice) = owners[step.Row];
        var finish = step.Step.FinishReason;
        // The EOS that ends a choice is chosen like any token but is not part of the answer.
        bool isOutput = step.Step.TokenId >= 0 && finish != Engine.Generation.FinishReason.Eos;
        if (isOutput)
        {
            job.CompletionTokens++;
            stats.TokensGenerated(1);
        }
        job.Send(new ChoiceToken(choice, isOutput ? step.Step.TokenId : -1, step.Step.Text, finish, isOutput ? step.Logprobs : null, tokenText));
        if (finish is null) return;
        Forget(step.Row);
        if (--job.ChoicesRunning == 0)
        {
            stats.RequestServed();
            job.Finish();
        }
    }

    void RemoveRowsOf(ServingJob job)
    {
        foreach (var batch in batches.Values)
            foreach (var row in batch.Rows.Where(r => owners[r].Job == job).ToArray())
            {
                batch.Remove(row);
                Forget(row);
            }
        foreach (var row in owners.Where(o => o.Value.Job == job).Select(o => o.Key).ToArray()) Forget(row);
    }

    void Forget(BatchRow row)
    {
        owners.Remove(row);
        row.Dispose();
    }

    void Evict()
    {
        foreach (var batch in batches.Values) batch.Dispose();
        batches.Clear();
        shared?.Dispose();
        shared = null;
        sharedBaseId = null;
        loadedAdapters.Clear();
        stats.Loaded(null, []);
    }
}
