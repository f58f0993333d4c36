using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Engine.Peft;

/// <summary>
/// How many parameters a method will train on a model, from the config and the options alone: what the new-run page
/// shows and the memory estimate needs before any weight is loaded. Equals <see cref="PeftMethod.Count"/> after Attach.
/// </summary>
public static class TrainableParameterCount
{
    /// <exception cref="PeftConfigException">The options are invalid for this model (the first of the method's field errors).</exception>
    public static long Of(ModelConfig model, MethodOptions options) => MethodRegistry.Get(options.Method).TrainableParameters(model, options);
}
