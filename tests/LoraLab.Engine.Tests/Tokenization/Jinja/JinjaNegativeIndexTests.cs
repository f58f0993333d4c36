namespace LoraLab.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// Negative integers and the items they pick, as Qwen3's template splits off a reasoning block with
/// <c>content.split('&lt;/think&gt;')[-1].lstrip('\n')</c>: a negative literal stays an integer.
/// </summary>
public class JinjaNegativeIndexTests
{
    static string Render(string source, object? variables = null) => JinjaWhitespaceTests.Render(source, variables);

    [Theory]
    [InlineData("{{ 'a,b'.split(',') | length }}", "2")]
    [InlineData("{{ -1 }}", "-1")]
    [InlineData("{{ -3 | abs }}", "3")]
    [InlineData("{{ -2.5 | abs }}", "2.5")]
    [InlineData("{{ [1, 2][-1] }}", "2")]
    [InlineData("{{ [1, 2][0 - 1] }}", "2")]
    [InlineData("{% set i = -1 %}{{ [1, 2][i] }}", "2")]
    [InlineData("{{ 'abc'[-1] }}", "c")]
    [InlineData("{{ 'a,b'.split(',')[-1] }}", "b")]
    [InlineData("{{ 'a,b'.split(',')[0] }}", "a")]
    [InlineData("{{ 'a</think>\\n\\nb'.split('</think>')[-1] }}", "\n\nb")]
    [InlineData("{{ 'a</think>\\n\\nb'.split('</think>')[-1].lstrip('\\n') }}", "b")]
    [InlineData("{{ 'x\\n'.rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}", "x")]
    public void A_negative_integer_stays_an_integer_and_indexes_from_the_end(string source, string expected)
    {
        Assert.Equal(expected, Render(source));
    }
}
