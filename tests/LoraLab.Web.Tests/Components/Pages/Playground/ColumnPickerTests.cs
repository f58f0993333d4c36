using Bunit;
using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Pages.Playground;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Tests.Components.Pages.Playground;

/// <summary>Adapters whose folders hold only the adapter_config.json PEFT writes for their kind, which is all the picker reads.</summary>
public sealed class ColumnPickerTests : MudBlazorContext, IClassFixture<TempDataFolder>
{
    readonly string root;
    readonly AdapterSummary[] adapters;

    public ColumnPickerTests(TempDataFolder data)
    {
        root = data.Path;
        adapters =
        [
            Adapter(7, "extract-name", "lora", """{"peft_type": "LORA", "r": 8, "target_modules": ["q_proj", "v_proj"]}"""),
            Adapter(9, "pirate", "dora", """{"peft_type": "LORA", "r": 8, "use_dora": true, "target_modules": ["q_proj", "v_proj"]}"""),
            Adapter(11, "soft", "prompt", """{"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 4}"""),
            Adapter(13, "principal", "lora", """{"peft_type": "LORA", "r": 8, "init_lora_weights": "pissa", "target_modules": ["q_proj", "v_proj"]}"""),
        ];
    }

    AdapterSummary Adapter(int id, string name, string method, string config)
    {
        string folder = Directory.CreateDirectory(Path.Combine(root, id.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), config);
        return new(id, name, null, 1, "demo", method, 8, null, folder, 0, DateTime.UtcNow, null, "local", "local");
    }

    IRenderedComponent<ColumnPicker> RenderPicker(IReadOnlyList<PlaygroundColumn> columns, Action<IReadOnlyList<PlaygroundColumn>> changed, int max = 6) =>
        Render<ColumnPicker>(p => p
            .Add(c => c.Adapters, adapters)
            .Add(c => c.Columns, columns)
            .Add(c => c.Max, max)
            .Add(c => c.ColumnsChanged, changed));

    [Fact]
    public void Adding_the_base_and_an_adapter_appends_columns_in_order()
    {
        IReadOnlyList<PlaygroundColumn> columns = [new PlaygroundColumn(null)];
        var picker = RenderPicker(columns, c => columns = c);

        picker.Find("#add-adapter-9").Click();
        picker.Render(p => p.Add(c => c.Columns, columns));
        picker.Find("#add-base").Click();

        Assert.Equal([null, 9, null], columns.Select(c => c.AdapterId));
    }

    [Fact]
    public void Each_column_is_named_and_removing_one_keeps_the_others_in_order()
    {
        IReadOnlyList<PlaygroundColumn> columns = [new(null), new(7), new(11)];
        var picker = RenderPicker(columns, c => columns = c);

        var names = picker.FindAll(".picked-column").Select(c => c.TextContent.Trim()).ToList();
        picker.Find("#column-1 .mud-chip-close-button").Click();

        Assert.Equal(["1 · base model only", "2 · extract-name", "3 · soft"], names);
        Assert.Equal([null, 11], columns.Select(c => c.AdapterId));
    }

    [Fact]
    public void A_full_playground_disables_every_add_button()
    {
        var picker = RenderPicker([new(null), new(7)], _ => Assert.Fail("nothing may be added"), max: 2);

        Assert.All(picker.FindAll("#column-choices button"), button => Assert.True(button.HasAttribute("disabled")));
        Assert.Contains("the playground is full", picker.Markup);
    }

    [Fact]
    public void Adapters_that_cannot_share_the_routed_batch_say_so()
    {
        var picker = RenderPicker([], _ => { });

        Assert.DoesNotContain("own batch", picker.Find("#add-adapter-7").TextContent);
        Assert.DoesNotContain("own batch", picker.Find("#add-adapter-9").TextContent);
        Assert.Contains("prompt · own batch", picker.Find("#add-adapter-11").TextContent);
        Assert.NotNull(picker.Find("#no-columns"));
    }

    [Fact]
    public void A_pissa_initialised_lora_adapter_answers_in_a_batch_of_its_own_as_the_engine_runs_it()
    {
        var picker = RenderPicker([], _ => { });

        Assert.Contains("lora · own batch", picker.Find("#add-adapter-13").TextContent);
    }
}
