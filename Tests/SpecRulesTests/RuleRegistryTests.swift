import Testing
import SpecRules

@Suite struct RuleRegistryTests {
    @Test func catalogIdsAreRuleIds() {
        for id in RuleCatalog.ids { #expect(RuleCatalog.isRuleID(id)) }
        #expect(!RuleCatalog.isRuleID("yaml-syntax"))
    }
}
