using System.Globalization;
using System.Text;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>Python's <c>datetime.strftime</c> in the C locale, for <c>strftime_now</c> (Llama 3's "%d %b %Y").</summary>
internal static class Strftime
{
    public static string Format(DateTime time, string format)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            char code = format[++i];
            bool unpadded = code == '-' && i + 1 < format.Length;
            if (unpadded) code = format[++i];
            string field = code switch
            {
                'd' => time.Day.ToString("00", c),
                'm' => time.Month.ToString("00", c),
                'Y' => time.Year.ToString(c),
                'y' => (time.Year % 100).ToString("00", c),
                'H' => time.Hour.ToString("00", c),
                'I' => (time.Hour % 12 == 0 ? 12 : time.Hour % 12).ToString("00", c),
                'M' => time.Minute.ToString("00", c),
                'S' => time.Second.ToString("00", c),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' => time.ToString("MMM", c),
                'B' => time.ToString("MMMM", c),
                'a' => time.ToString("ddd", c),
                'A' => time.ToString("dddd", c),
                'j' => time.DayOfYear.ToString("000", c),
                'w' => ((int)time.DayOfWeek).ToString(c),
                'F' => time.ToString("yyyy-MM-dd", c),
                'T' => time.ToString("HH:mm:ss", c),
                '%' => "%",
                _ => "%" + code,
            };
            text.Append(unpadded && field.Length > 1 && field[0] == '0' ? field.TrimStart('0') is { Length: > 0 } t ? t : "0" : field);
        }
        return text.ToString();
    }
}
