# doc: `make doc` generates the API reference with gi-docgen from
# Vfsd-1.0.gir (the C API), with two pages for Python: the guide
# (doc/python.md) and the Python view of the API, generated from the typelib
# and the override module.  Output: doc/reference/Vfsd-1.0/index.html.
EXTRA_DIST += doc/Vfsd.toml.in doc/python.md bindings/python/gen-python-api.py \
	bindings/python/bench-memfs.py

doc/Vfsd.toml: doc/Vfsd.toml.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && \
	sed -e 's|@VERSION@|$(PACKAGE_VERSION)|g' $(srcdir)/doc/Vfsd.toml.in > $@

doc/reference-src/python.md: doc/python.md
	$(AM_V_GEN)$(MKDIR_P) doc/reference-src && \
	{ echo 'Title: Python guide'; echo; cat $(srcdir)/doc/python.md; } > $@

doc/reference-src/python-api.md: bindings/Vfsd-1.0.typelib \
		bindings/python/gen-python-api.py bindings/python/gi/overrides/Vfsd.py
	$(AM_V_GEN)$(MKDIR_P) doc/reference-src && \
	GI_TYPELIB_PATH='$(abs_top_builddir)/bindings' \
	LD_LIBRARY_PATH='$(abs_top_builddir)/lib/.libs' \
	PYTHONPATH='$(abs_top_srcdir)/bindings/python' \
	$(PYTHON_GI) $(srcdir)/bindings/python/gen-python-api.py \
	  bindings/Vfsd-1.0.gir $@

if HAVE_GI_DOCGEN
doc: doc/Vfsd.toml doc/reference-src/python.md doc/reference-src/python-api.md \
		bindings/Vfsd-1.0.gir
	$(AM_V_GEN)rm -rf doc/reference && \
	$(GI_DOCGEN) generate --quiet --config doc/Vfsd.toml \
	  --content-dir doc/reference-src --output-dir doc/reference \
	  --add-include-path $(INTROSPECTION_GIRDIR) \
	  --add-include-path /usr/share/gir-1.0 \
	  bindings/Vfsd-1.0.gir
	@echo "API reference: doc/reference/Vfsd-1.0/index.html"
else
doc:
	@echo "make doc needs gi-docgen (on Debian: apt-get install gi-docgen)"; exit 1
endif
.PHONY: doc
CLEANFILES += doc/Vfsd.toml doc/reference-src/python.md \
	doc/reference-src/python-api.md
