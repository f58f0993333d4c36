using LoraLab.Web.Serving;

namespace LoraLab.Web.Tests.Serving;

public class ServingSnippetsTests
{
    [Fact]
    public void A_model_name_with_quotes_is_escaped_in_every_snippet_so_each_stays_one_string_literal()
    {
        const string model = "it's \"odd\"";

        string curl = ServingSnippets.Curl("http://host/v1", model, "key"), python = ServingSnippets.Python("http://host/v1", model, "key"),
            js = ServingSnippets.JavaScript("http://host/v1", model, "key");

        Assert.Contains("\"model\":\"it\\u0027s \\u0022odd\\u0022\"", curl);
        Assert.Contains("model=\"it\\u0027s \\u0022odd\\u0022\"", python);
        Assert.Contains("model: \"it\\u0027s \\u0022odd\\u0022\"", js);
        Assert.Contains("base_url=\"http://host/v1\", api_key=\"key\"", python);
        Assert.Contains("baseURL: \"http://host/v1\", apiKey: \"key\"", js);
    }
}
