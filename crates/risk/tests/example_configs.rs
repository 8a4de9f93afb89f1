//! The example configurations in examples/ parse, agree, and build a working toolkit.

use std::path::Path;

use oxfolio_risk::monitor::RiskMonitor;
use oxfolio_risk::var::VarMethod;
use oxfolio_risk::RiskManagement;

#[test]
fn yaml_and_toml_examples_are_the_same_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let yaml = RiskManagement::from_file(&root.join("risk.yaml")).expect("yaml");
    let toml = RiskManagement::from_file(&root.join("risk.toml")).expect("toml");
    assert_eq!(yaml, toml);
    assert_eq!(yaml.drawdown_zones.len(), 4);
    assert_eq!(yaml.monitor.var_method, VarMethod::CornishFisher);
    let manager = yaml.manager(1_000_000.0).expect("manager");
    assert_eq!(manager.zone().name, "normal");
    RiskMonitor::new(yaml.monitor).expect("monitor");
}
