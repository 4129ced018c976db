//! Carrying Rust values through `ac_value`: results of tasks and futures,
//! queue items, context variables.
//!
//! `()`, `i64`, `f64`, `Vec<u8>` and `String` travel as the native kinds
//! (NONE, INT64, DOUBLE, BYTES), so C and the other bindings read them as
//! they are. Any other `'static` type travels boxed as a POINTER value
//! whose destructor drops the box, tagged with its `TypeId` so that reading
//! it back as another type is refused instead of misread.

use std::any::TypeId;
use std::mem::{self, ManuallyDrop};
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use asyncore_sys as sys;

/// The box behind a POINTER value made by this crate. The header comes
/// first (repr(C)) so `free_tagged` can read it without knowing `T`.
#[repr(C)]
struct Tagged<T> {
    id: TypeId,
    drop_box: unsafe fn(*mut c_void),
    value: T,
}

unsafe fn drop_tagged<T>(p: *mut c_void) {
    drop(Box::from_raw(p as *mut Tagged<T>));
}

/// The destructor of every tagged value (one function for all types, so
/// its address identifies the values this crate made).
unsafe extern "C" fn free_tagged(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // The header is the same for every T (repr(C), first fields).
    let drop_box = (*(p as *mut Tagged<()>)).drop_box;
    // A panicking Drop must not unwind into C.
    let _ = catch_unwind(AssertUnwindSafe(|| drop_box(p)));
}

/// True for a pointer value made by this crate: its destructor is
/// `free_tagged` (one non-generic function, so one address).
fn is_tagged(p: &sys::ac_value__bindgen_ty_1__bindgen_ty_2) -> bool {
    let ours: unsafe extern "C" fn(*mut c_void) = free_tagged;
    !p.ptr.is_null() && p.free_fn.is_some_and(|f| std::ptr::fn_addr_eq(f, ours))
}

/// A borrowed view of the `T` inside a pointer value this crate made
/// (None for another kind, another maker or another type).
///
/// # Safety
/// `v` is a well-formed value, and stays alive and unchanged while the
/// reference is used.
pub(crate) unsafe fn borrow_tagged<T: 'static>(v: &sys::ac_value) -> Option<&T> {
    if v.kind != sys::AC_VALUE_POINTER as i32 {
        return None;
    }
    let p = v.u.pointer;
    if !is_tagged(&p) || (*(p.ptr as *const Tagged<()>)).id != TypeId::of::<T>() {
        return None;
    }
    Some(&(*(p.ptr as *const Tagged<T>)).value)
}

fn same<A: 'static, B: 'static>() -> bool {
    TypeId::of::<A>() == TypeId::of::<B>()
}

/// A native value that needs no allocation.
pub(crate) enum Small {
    Unit,
    Int(i64),
    Double(f64),
}

/// `v` as a [`Small`] when `T` is `()`, `i64` or `f64`.
#[inline]
pub(crate) fn small<T: 'static>(v: &T) -> Option<Small> {
    let p = v as *const T;
    // SAFETY: each read is of the type just checked.
    unsafe {
        if same::<T, ()>() {
            Some(Small::Unit)
        } else if same::<T, i64>() {
            Some(Small::Int(*(p as *const i64)))
        } else if same::<T, f64>() {
            Some(Small::Double(*(p as *const f64)))
        } else {
            None
        }
    }
}

/// Writes a value that owns nothing (NONE, INT64, DOUBLE) into `raw`: the
/// fields of the public struct, as the `ac_value_set_*` initialisers do.
#[inline]
fn set_plain(raw: &mut sys::ac_value, kind: u32, bits: i64) {
    raw.kind = kind as i32;
    raw.reserved_ = 0;
    raw.u.i64_ = bits;
}

/// A value on its way into the library. The storing call copies bytes and
/// takes over a pointer's destructor on success: call [`OutValue::stored`]
/// then; dropping an `OutValue` that was not stored releases it.
pub(crate) struct OutValue {
    pub(crate) raw: sys::ac_value,
    /// The buffer a BYTES value borrows until the storing call copied it.
    _bytes: Option<Vec<u8>>,
}

impl OutValue {
    pub(crate) fn new<T: 'static>(value: T) -> OutValue {
        let mut raw: sys::ac_value = unsafe { mem::zeroed() };
        let value = ManuallyDrop::new(value);
        let p = &*value as *const T;
        // SAFETY: each branch reads `value` as the type it was checked to be,
        // once; ManuallyDrop keeps it from being dropped twice.
        unsafe {
            if same::<T, ()>() {
                set_plain(&mut raw, sys::AC_VALUE_NONE, 0);
            } else if same::<T, i64>() {
                set_plain(&mut raw, sys::AC_VALUE_INT64, ptr::read(p as *const i64));
            } else if same::<T, f64>() {
                set_plain(&mut raw, sys::AC_VALUE_DOUBLE, ptr::read(p as *const f64).to_bits() as i64);
            } else if same::<T, Value>() {
                match ptr::read(p as *const Value) {
                    Value::None | Value::Pointer => sys::ac_value_set_none(&mut raw),
                    Value::Int(i) => sys::ac_value_set_int64(&mut raw, i),
                    Value::Double(d) => sys::ac_value_set_double(&mut raw, d),
                    Value::Bytes(v) => {
                        sys::ac_value_set_bytes(&mut raw, v.as_ptr() as *const c_void, v.len());
                        return OutValue { raw, _bytes: Some(v) };
                    }
                }
            } else if same::<T, Vec<u8>>() {
                let v = ptr::read(p as *const Vec<u8>);
                sys::ac_value_set_bytes(&mut raw, v.as_ptr() as *const c_void, v.len());
                return OutValue { raw, _bytes: Some(v) };
            } else if same::<T, String>() {
                let v = ptr::read(p as *const String).into_bytes();
                sys::ac_value_set_bytes(&mut raw, v.as_ptr() as *const c_void, v.len());
                return OutValue { raw, _bytes: Some(v) };
            } else {
                let b = Box::new(Tagged {
                    id: TypeId::of::<T>(),
                    drop_box: drop_tagged::<T>,
                    value: ptr::read(p),
                });
                sys::ac_value_set_pointer(&mut raw, Box::into_raw(b) as *mut c_void, Some(free_tagged));
            }
        }
        OutValue { raw, _bytes: None }
    }

    /// Takes the value back as `T` (it was not stored).
    pub(crate) fn into_inner<T: 'static>(mut self) -> Option<T> {
        if let Some(b) = self._bytes.take() {
            // SAFETY: zeroed is NONE: nothing left to release.
            self.raw = unsafe { mem::zeroed() };
            let mut b = ManuallyDrop::new(b);
            let p = &mut *b as *mut Vec<u8>;
            // SAFETY: T is Vec<u8> or String (checked), made from this buffer.
            return unsafe {
                if same::<T, Vec<u8>>() {
                    Some(ptr::read(p as *const T))
                } else if same::<T, String>() {
                    let s = String::from_utf8_unchecked(ptr::read(p));
                    let s = ManuallyDrop::new(s);
                    Some(ptr::read(&*s as *const String as *const T))
                } else {
                    ManuallyDrop::drop(&mut b);
                    None
                }
            };
        }
        let mut v = std::mem::replace(&mut self.raw, unsafe { mem::zeroed() });
        // SAFETY: we own the value.
        unsafe { take::<T>(&mut v) }
    }

    /// The library stored the value: it owns the pointer now (bytes were
    /// copied, our buffer is freed here).
    pub(crate) fn stored(mut self) {
        // SAFETY: zeroed is a valid NONE value.
        self.raw = unsafe { mem::zeroed() };
    }
}

impl Drop for OutValue {
    fn drop(&mut self) {
        if self.raw.kind == sys::AC_VALUE_POINTER as i32 {
            // SAFETY: not stored: we still own the pointer.
            unsafe {
                let p = self.raw.u.pointer;
                if let Some(f) = p.free_fn {
                    f(p.ptr);
                }
            }
        }
    }
}

/// Copies a native value (NONE, INT64, DOUBLE, BYTES) out of a borrowed
/// view as `T`; None for another kind or type.
///
/// # Safety
/// `v` is a well-formed value.
pub(crate) unsafe fn copy_native<T: 'static>(v: &sys::ac_value) -> Option<T> {
    let mut out: Option<T> = None;
    let slot = &mut out as *mut Option<T>;
    let bytes = || {
        let b = v.u.bytes;
        if b.len == 0 || b.data.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(b.data as *const u8, b.len).to_vec()
        }
    };
    match v.kind as u32 {
        sys::AC_VALUE_NONE if same::<T, ()>() => ptr::write(slot as *mut Option<()>, Some(())),
        sys::AC_VALUE_INT64 if same::<T, i64>() => ptr::write(slot as *mut Option<i64>, Some(v.u.i64_)),
        sys::AC_VALUE_DOUBLE if same::<T, f64>() => ptr::write(slot as *mut Option<f64>, Some(v.u.f64_)),
        sys::AC_VALUE_BYTES if same::<T, Vec<u8>>() => ptr::write(slot as *mut Option<Vec<u8>>, Some(bytes())),
        sys::AC_VALUE_BYTES if same::<T, String>() => {
            ptr::write(slot as *mut Option<String>, String::from_utf8(bytes()).ok())
        }
        _ => {}
    }
    out
}

/// Copies a native value out of a borrowed view as `T`, also as a
/// dynamic [`Value`]; None for a pointer or another type.
///
/// # Safety
/// `v` is a well-formed value.
pub(crate) unsafe fn copy_any<T: 'static>(v: &sys::ac_value) -> Option<T> {
    if same::<T, Value>() {
        if v.kind as u32 == sys::AC_VALUE_POINTER {
            return None;
        }
        let mut out: Option<T> = None;
        let mut copy = *v;
        if v.kind as u32 == sys::AC_VALUE_BYTES {
            // take_dynamic releases what it reads: give it nothing to own.
            let b = v.u.bytes;
            let data = if b.len == 0 || b.data.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(b.data as *const u8, b.len).to_vec()
            };
            ptr::write(&mut out as *mut Option<T> as *mut Option<Value>, Some(Value::Bytes(data)));
            return out;
        }
        ptr::write(&mut out as *mut Option<T> as *mut Option<Value>, Some(take_dynamic(&mut copy)));
        return out;
    }
    copy_native::<T>(v)
}

/// Reads an owned value (one a function "moved out") as `T`, releasing it.
/// Returns None, after releasing it, when it holds another type.
///
/// # Safety
/// `v` is a well-formed value the caller owns; it is NONE afterwards.
pub(crate) unsafe fn take<T: 'static>(v: &mut sys::ac_value) -> Option<T> {
    if same::<T, Value>() {
        let mut out: Option<T> = None;
        ptr::write(&mut out as *mut Option<T> as *mut Option<Value>, Some(take_dynamic(v)));
        return out;
    }
    if v.kind as u32 == sys::AC_VALUE_POINTER {
        let p = v.u.pointer;
        if is_tagged(&p) && (*(p.ptr as *const Tagged<()>)).id == TypeId::of::<T>()
        {
            let b = Box::from_raw(p.ptr as *mut Tagged<T>);
            sys::ac_value_set_none(v);
            return Some(b.value);
        }
    }
    let out = copy_native::<T>(v);
    clear(v);
    out
}

/// A `()`, `i64` or `f64` read from a value of the same kind, which owns
/// nothing (so the value needs no release); None otherwise.
///
/// # Safety
/// `v` is a well-formed value.
#[inline]
pub(crate) unsafe fn take_small<T: 'static>(v: &sys::ac_value) -> Option<T> {
    let mut out: Option<T> = None;
    let slot = &mut out as *mut Option<T>;
    match v.kind as u32 {
        sys::AC_VALUE_NONE if same::<T, ()>() => ptr::write(slot as *mut Option<()>, Some(())),
        sys::AC_VALUE_INT64 if same::<T, i64>() => ptr::write(slot as *mut Option<i64>, Some(v.u.i64_)),
        sys::AC_VALUE_DOUBLE if same::<T, f64>() => ptr::write(slot as *mut Option<f64>, Some(v.u.f64_)),
        _ => {}
    }
    out
}

/// ac_value_clear, without the call for the kinds that own nothing.
#[inline]
pub(crate) unsafe fn clear(v: &mut sys::ac_value) {
    match v.kind as u32 {
        sys::AC_VALUE_NONE => {}
        sys::AC_VALUE_INT64 | sys::AC_VALUE_DOUBLE => set_plain(v, sys::AC_VALUE_NONE, 0),
        _ => sys::ac_value_clear(v),
    }
}

/// Borrows a tagged value of type `T` from a borrowed view, if it is one.
///
/// # Safety
/// `v` is a well-formed value that outlives the returned reference.
pub(crate) unsafe fn peek<'a, T: 'static>(v: &sys::ac_value) -> Option<&'a T> {
    if v.kind as u32 != sys::AC_VALUE_POINTER {
        return None;
    }
    let p = v.u.pointer;
    if is_tagged(&p) && (*(p.ptr as *const Tagged<()>)).id == TypeId::of::<T>()
    {
        Some(&(*(p.ptr as *const Tagged<T>)).value)
    } else {
        None
    }
}

/// A dynamically typed value, for futures made by C code or another
/// binding: `LoopFuture<Value>` reads whatever kind the future holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    /// A pointer value (its destructor has run when it was read).
    Pointer,
}

/// Reads any owned value as a [`Value`], releasing it.
///
/// # Safety
/// As [`take`].
pub(crate) unsafe fn take_dynamic(v: &mut sys::ac_value) -> Value {
    let out = match v.kind as u32 {
        sys::AC_VALUE_NONE => Value::None,
        sys::AC_VALUE_INT64 => Value::Int(v.u.i64_),
        sys::AC_VALUE_DOUBLE => Value::Double(v.u.f64_),
        sys::AC_VALUE_BYTES => {
            let b = v.u.bytes;
            Value::Bytes(if b.len == 0 || b.data.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(b.data as *const u8, b.len).to_vec()
            })
        }
        _ => Value::Pointer,
    };
    sys::ac_value_clear(v);
    out
}
