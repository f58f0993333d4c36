using Bunit;
using LoraLab.Web.Components.Pages.Playground;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Components.Pages.Playground;

public sealed class VoteButtonsTests : MudBlazorContext
{
    [Theory]
    [InlineData("#vote-a", VoteChoice.A)]
    [InlineData("#vote-b", VoteChoice.B)]
    [InlineData("#vote-tie", VoteChoice.Tie)]
    public void Each_button_casts_its_vote(string button, VoteChoice expected)
    {
        var votes = new List<VoteChoice>();
        var buttons = Render<VoteButtons>(p => p.Add(c => c.OnVote, votes.Add));

        buttons.Find(button).Click();

        Assert.Equal([expected], votes);
    }

    [Fact]
    public void Disabled_buttons_cast_no_vote()
    {
        var buttons = Render<VoteButtons>(p => p.Add(c => c.Disabled, true).Add(c => c.OnVote, _ => Assert.Fail("no vote while disabled")));

        Assert.All(buttons.FindAll("button"), b => Assert.True(b.HasAttribute("disabled")));
    }
}
