namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>The functions every template can call: Jinja2's <c>namespace</c> and <c>range</c>, and transformers' two.</summary>
internal static class JinjaGlobals
{
    public static IEnumerable<(string Name, JinjaFunction Function)> Create(TimeProvider clock)
    {
        yield return ("raise_exception", arguments => throw new JinjaProblem(JinjaValues.ToStr(arguments.Get(0, "message", "")), raisedByTemplate: true));
        yield return ("strftime_now", arguments => Strftime.Format(clock.GetLocalNow().DateTime, JinjaValues.ToStr(arguments.Get(0, "format", ""))));
        yield return ("namespace", Namespace);
        yield return ("range", Range);
        yield return ("dict", arguments =>
        {
            var dict = JinjaValues.NewDict();
            foreach (var (k, v) in arguments.Named) dict[k] = v;
            return dict;
        });
    }

    static object? Namespace(JinjaArguments arguments)
    {
        var ns = new JinjaNamespace();
        if (arguments.Positional is [OrderedDictionary<object, object?> initial, ..])
            foreach (var (k, v) in initial) ns.Attributes[JinjaValues.ToStr(k)] = v;
        foreach (var (k, v) in arguments.Named) ns.Attributes[k] = v;
        return ns;
    }

    static object? Range(JinjaArguments arguments)
    {
        var bounds = arguments.Positional.Select(JinjaValues.ToLong).ToArray();
        var (start, stop, step) = bounds switch
        {
            [var end] => (0L, end, 1L),
            [var from, var end] => (from, end, 1L),
            [var from, var end, var by] when by != 0 => (from, end, by),
            _ => throw new JinjaProblem("range takes one to three integers and a nonzero step"),
        };
        var values = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            values.Add(i);
            if (values.Count > 100_000) throw new JinjaProblem("range is too long for a chat template");
        }
        return values;
    }
}
