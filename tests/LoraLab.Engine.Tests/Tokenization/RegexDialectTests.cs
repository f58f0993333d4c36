using System.Text.RegularExpressions;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class RegexDialectTests
{
    [Fact]
    public void Possessive_quantifiers_become_atomic_groups_around_their_atom()
    {
        string converted = RegexDialect.WithAtomicGroupsForPossessives(@"\p{L}++|[a-z]*+x?+(ab)++|\d{1,3}+|a+?");

        Assert.Equal(@"(?>\p{L}+)|(?>[a-z]*)(?>x?)(?>(ab)+)|(?>\d{1,3})|a+?", converted);
    }

    [Fact]
    public void A_possessive_run_does_not_give_back_what_it_took()
    {
        var regex = RegexDialect.Compile("a*+a");

        Assert.DoesNotMatch(regex, "aaa");
        Assert.Matches(new Regex("a*a"), "aaa");
    }

    [Fact]
    public void Patterns_without_possessives_are_left_as_they_are()
    {
        const string llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

        Assert.Equal(llama3, RegexDialect.WithAtomicGroupsForPossessives(llama3));
    }
}
