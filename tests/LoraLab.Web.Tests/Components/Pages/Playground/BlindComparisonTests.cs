using Bunit;
using LoraLab.Web.Accounts;
using LoraLab.Web.Components.Pages.Playground;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages.Playground;

public sealed class BlindComparisonTests : StudioComponentContext
{
    readonly IDbContextFactory<LoraLabDbContext> _db;
    readonly PlaygroundVoteStore _votes;

    public BlindComparisonTests()
    {
        _db = DbFactory;
        _votes = new PlaygroundVoteStore(_db, TimeProvider.System);
        Services.AddSingleton(_votes);
    }

    static ColumnAnswer Answer(int? adapterId, string name, string text) => new(adapterId, name, text, 3, 0.1, "Eos", 0, false);

    [Fact]
    public async Task A_vote_on_two_unlabelled_answers_is_stored_with_its_voter_and_then_names_both_columns()
    {
        int baseModel;
        await using (var db = await _db.CreateDbContextAsync())
        {
            var model = new BaseModel { Name = "demo", Folder = "/demo" };
            db.BaseModels.Add(model);
            db.Users.Add(new StudioUser { Id = "vera", UserName = "vera" });
            await db.SaveChangesAsync();
            baseModel = model.Id;
        }
        var answers = new PlaygroundAnswers([Answer(null, "base model only", "the base says"), Answer(null, "base model only", "again")], 4, 0.2, true);
        var voted = 0;
        var comparison = Render<BlindComparison>(p => p.Add(c => c.Answers, answers).Add(c => c.Prompt, "who?").Add(c => c.BaseModelId, baseModel)
            .Add(c => c.OnVoted, () => voted++));
        Assert.NotNull(comparison.Find("#blind-unavailable"));

        await using (var db = await _db.CreateDbContextAsync())
        {
            db.Adapters.Add(new Adapter { Name = "pirate", BaseModelId = baseModel, Method = "lora", Folder = "/adapters/pirate", Owner = Caller.Local.UserId });
            await db.SaveChangesAsync();
        }
        int adapterId = (await _db.CreateDbContext().Adapters.SingleAsync()).Id;
        SignInAs(new Caller("vera", "vera", IsAdmin: false));
        answers = answers with { Columns = [answers.Columns[0], Answer(adapterId, "pirate", "arr, matey")] };
        comparison.Render(p => p.Add(c => c.Answers, answers));
        comparison.Find("#start-blind").Click();
        string shownA = comparison.Find("#blind-a").TextContent;
        string beforeVote = comparison.Find("#blind-comparison").TextContent;
        comparison.Find("#vote-a").Click();

        comparison.WaitForElement("#blind-reveal");
        var winner = shownA == "the base says" ? "base model only" : "pirate";
        Assert.Contains($"A was {winner}", comparison.Find("#blind-reveal").TextContent);
        Assert.DoesNotContain("pirate", beforeVote);
        Assert.DoesNotContain("base model only", beforeVote);
        Assert.Equal(1, voted);
        var table = await _votes.RatingsAsync(baseModel);
        Assert.Equal(winner, table[0].Name);
        Assert.Equal((1, 1), (table[0].Wins, table[1].Losses));
        Assert.Equal("vera", (await _db.CreateDbContext().PlaygroundVotes.SingleAsync()).Voter);
    }
}
