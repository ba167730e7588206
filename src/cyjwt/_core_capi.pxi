# CPython C-API pieces the compiled core needs beyond Cython's own
# declarations.  Included first by _core_c.pyx; no twin (the pure twin
# needs none of this).

cdef extern from *:
    """
    /* Borrowed dict lookup without PyDict_GetItem's error save/restore.
       Every key looked up through it is a str, whose hash cannot fail. */
    static PyObject *cyjwt_dict_get(PyObject *d, PyObject *key) {
        return PyDict_GetItemWithError(d, key);
    }

    #ifdef Py_GIL_DISABLED
    #define CYJWT_FREE_THREADED 1
    #else
    #define CYJWT_FREE_THREADED 0
    #endif

    /* A number that changes whenever an attribute of the type, or of one
       of its bases, is set or deleted: CPython's type version tag, plus
       one; 0 when the type has no valid tag (then nothing is cached). */
    static unsigned long long cyjwt_type_version(PyObject *type) {
        PyTypeObject *t = (PyTypeObject *)type;
    #if PY_VERSION_HEX >= 0x030C0000
        if (!PyUnstable_Type_AssignVersionTag(t)) {
            return 0;
        }
    #endif
        if (!PyType_HasFeature(t, Py_TPFLAGS_VALID_VERSION_TAG)) {
            return 0;
        }
        return (unsigned long long)t->tp_version_tag + 1;
    }

    /* A number that changes whenever the dict is changed, and that no other
       dict (one later at the same address included) has had: CPython's
       ma_version_tag on 3.9-3.13 (deprecated since 3.12, still kept up to
       date); 0 where there is none (3.14+, free-threaded, PyPy), and then
       nothing is cached by it. */
    static unsigned long long cyjwt_dict_version(PyObject *d) {
    #if PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED) && !defined(PYPY_VERSION)
    #if defined(__GNUC__) || defined(__clang__)
    #pragma GCC diagnostic push
    #pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    #endif
        return (unsigned long long)((PyDictObject *)d)->ma_version_tag;
    #if defined(__GNUC__) || defined(__clang__)
    #pragma GCC diagnostic pop
    #endif
    #else
        (void)d;
        return 0;
    #endif
    }

    /* Eight bytes read as a big-endian number, from any alignment. */
    static inline uint64_t cyjwt_load_be64(const uint8_t *p) {
        uint64_t w;
        memcpy(&w, p, 8);
    #if defined(__GNUC__) || defined(__clang__)
    #if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
    #endif
    #else
        w = ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) | ((uint64_t)p[2] << 40)
            | ((uint64_t)p[3] << 32) | ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16)
            | ((uint64_t)p[6] << 8) | (uint64_t)p[7];
    #endif
        return w;
    }

    /* Eight bytes written as a big-endian number, at any alignment. */
    static inline void cyjwt_store_be64(uint8_t *p, uint64_t w) {
    #if (defined(__GNUC__) || defined(__clang__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
        memcpy(p, &w, 8);
    #else
        int k;
        for (k = 7; k >= 0; k--) {
            p[k] = (uint8_t)w;
            w >>= 8;
        }
    #endif
    }

    /* A dict with room for n items without resizing (claims sets hold about
       ten); the private call exists on CPython 3.9-3.13, a plain dict after. */
    static PyObject *cyjwt_new_dict(Py_ssize_t n) {
    #if PY_VERSION_HEX < 0x030E0000 && !defined(PYPY_VERSION)
        return _PyDict_NewPresized(n);
    #else
        (void)n;
        return PyDict_New();
    #endif
    }

    /* The version (cyjwt_dict_version) of an instance's __dict__; 0 when
       there is none to compare by.  Not on 3.13+: there a __dict__ taken
       from an instance shares its inline values, and setting an attribute
       may change them without changing the dict's version. */
    static unsigned long long cyjwt_instance_dict_version(PyObject *obj) {
    #if PY_VERSION_HEX >= 0x030D0000
        (void)obj;
        return 0;
    #else
        PyObject *d = PyObject_GenericGetDict(obj, NULL);
        unsigned long long version;
        if (d == NULL) {
            PyErr_Clear();
            return 0;
        }
        version = cyjwt_dict_version(d);
        Py_DECREF(d);
        return version;
    #endif
    }

    /* How many attributes an instance's __dict__ holds; -1 with an error
       set when the object has no __dict__. */
    static Py_ssize_t cyjwt_instance_dict_size(PyObject *obj) {
        PyObject *d = PyObject_GenericGetDict(obj, NULL);
        Py_ssize_t size;
        if (d == NULL) {
            return -1;
        }
        size = PyDict_GET_SIZE(d);
        Py_DECREF(d);
        return size;
    }
    """
    PyObject *PyDict_GetItem "cyjwt_dict_get"(object d, object key) except? NULL
    # On a free-threaded build a module global may be replaced while another
    # thread reads it; the last-header cache is then left out.
    bint CYJWT_FREE_THREADED
    unsigned long long cyjwt_type_version(object type)
    unsigned long long cyjwt_dict_version(object d)
    unsigned long long cyjwt_instance_dict_version(object obj)
    uint64_t cyjwt_load_be64(const uint8_t *p) noexcept nogil
    void cyjwt_store_be64(uint8_t *p, uint64_t w) noexcept nogil
    dict cyjwt_new_dict(Py_ssize_t n)
    Py_ssize_t cyjwt_instance_dict_size(object obj) except -1

cdef extern from "Python.h":
    # The bool singletons as pointers (in Cython, <PyObject *>True is 1).
    PyObject *PY_TRUE "Py_True"
    PyObject *PY_FALSE "Py_False"
    bint PyUnicode_IS_ASCII(object o)
    const char *PyUnicode_AsUTF8AndSize(object o, Py_ssize_t *size) except NULL
    object PyUnicode_FromStringAndSize(const char *s, Py_ssize_t size)
    double PyOS_string_to_double(
        const char *s, char **endptr, PyObject *overflow_exception
    ) except? -1.0
    object PyLong_FromString(const char *s, char **pend, int base)
    str PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void Py_INCREF(object o)
    void Py_XDECREF(PyObject *o)
    char *PyOS_double_to_string(
        double val, char format_code, int precision, int flags, int *type
    ) except NULL
    void PyMem_Free(void *p)
    int Py_DTSF_ADD_DOT_0
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    int PyUnicode_KIND(object o)
    void *PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index)
