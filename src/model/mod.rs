//! The types every stage shares: objects, the bundle kinds, the finding
//! codes, the limits by name, and the names of the annotations imprint
//! reads and writes. It imports nothing else of
//! imprint, so every stage can stand on it and it is never part of an
//! import circle.

pub mod annotations;
pub mod bundle_kind;
pub mod code;
pub mod limit;
pub mod object;

pub use bundle_kind::BundleKind;
pub use code::Code;
pub use limit::Limit;
pub use object::{BundleKey, Object, ObjectId, Origin};
