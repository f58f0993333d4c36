using System.Globalization;

namespace LoraLab.Web.Sweeps;

/// <summary>Swept settings and values as run names and table headers show them: short and exact.</summary>
public static class SweepValueText
{
    static readonly Dictionary<string, string> ShortNames = new()
    {
        ["learning_rate"] = "lr",
        ["lora_alpha"] = "alpha",
        ["lora_dropout"] = "dropout",
        ["num_train_epochs"] = "epochs",
        ["gradient_accumulation_steps"] = "accum",
    };

    public static string ShortName(string field) => ShortNames.GetValueOrDefault(field, field);

    /// <summary>Values below 0.01 and from a million up in exponent form (<c>1e-3</c>, <c>2.5e6</c>), the others as decimals (<c>0.05</c>, <c>16</c>).</summary>
    public static string Format(double value)
    {
        double magnitude = Math.Abs(value);
        if (value == 0 || !double.IsFinite(value) || magnitude is >= 1e-2 and < 1e6)
            return value.ToString("0.######", CultureInfo.InvariantCulture);
        int exponent = (int)Math.Floor(Math.Log10(magnitude));
        double mantissa = Math.Round(value / Math.Pow(10, exponent), 3);
        if (Math.Abs(mantissa) >= 10) (mantissa, exponent) = (mantissa / 10, exponent + 1);
        return $"{mantissa.ToString("0.###", CultureInfo.InvariantCulture)}e{exponent}";
    }
}
