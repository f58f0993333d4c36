using LoraLab.Engine.Tokenization.Jinja;

namespace LoraLab.Engine.Tests.Tokenization.Jinja;

/// <summary>Jinja2's whitespace rules with trim_blocks and lstrip_blocks on, as transformers renders chat templates.</summary>
public class JinjaWhitespaceTests
{
    internal static string Render(string source, object? variables = null) =>
        new JinjaTemplate(source, "test template").Render(
            variables is null ? new Dictionary<string, object?>() : (Dictionary<string, object?>)variables);

    [Fact]
    public void Trim_blocks_removes_the_first_newline_after_a_block_tag()
    {
        Assert.Equal("a\nb\n", Render("{% if true %}\na\n{% endif %}\nb\n\n"));
    }

    [Fact]
    public void Lstrip_blocks_removes_the_indentation_before_a_block_tag_but_not_before_an_output()
    {
        Assert.Equal("  x\n", Render("  {% if true %}\n  {{ 'x' }}\n  {% endif %}\n"));
    }

    [Fact]
    public void Lstrip_blocks_keeps_text_before_a_tag_on_the_same_line()
    {
        Assert.Equal("a b", Render("a {% if true %}b{% endif %}"));
    }

    [Fact]
    public void A_minus_strips_all_whitespace_on_its_side_including_newlines()
    {
        Assert.Equal("ab", Render("a  \n\n  {{- 'b' -}}  \n  "));
    }

    [Fact]
    public void A_plus_keeps_the_indentation_that_lstrip_blocks_would_remove()
    {
        Assert.Equal("  x", Render("  {%+ if true %}x{% endif %}"));
    }

    [Fact]
    public void Comments_vanish_and_trim_their_newline_like_block_tags()
    {
        Assert.Equal("a\nb", Render("a\n  {# a comment #}\nb"));
    }

    [Fact]
    public void Raw_blocks_print_tags_verbatim()
    {
        Assert.Equal("{{ not evaluated }}{% if %}", Render("{% raw %}{{ not evaluated }}{% if %}{% endraw %}"));
    }

    [Fact]
    public void One_trailing_newline_of_the_template_is_dropped()
    {
        Assert.Equal("x\n", Render("x\n\n"));
    }

    [Fact]
    public void Newlines_after_an_output_tag_are_kept()
    {
        Assert.Equal("x\ny", Render("{{ 'x' }}\ny"));
    }
}
