package dev.dmrbatch.jobfile;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.PropertyName;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.SettableBeanProperty;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.bean.BeanDeserializerBase;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Reads a job file's record that has a {@link JsonUnwrapped} component (a step's request settings, which are
 * {@link dev.dmrbatch.config.ModelSettings}' keys given among the step's own): its own keys and the component's come
 * from the same mapping, read one key at a time where the file has them, so that a key of the wrong type is named
 * with its line and what was found, and an unknown key with the keys both take, as for any other record (Jackson's
 * own unwrapping reads the component's keys only after the whole mapping, from a copy without their lines). A key
 * both take is the record's own ({@code name}).
 */
final class UnwrappedKeys extends DelegatingDeserializer {

	/** The module that reads every record with an unwrapped component this way. */
	static SimpleModule module() {
		return new SimpleModule("unwrapped-keys").setDeserializerModifier(new ValueDeserializerModifier() {

			@Override
			public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
					BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
				Class<?> type = description.getBeanClass();
				RecordComponent unwrapped = type.isRecord() ? unwrapped(type) : null;
				return (unwrapped != null && deserializer instanceof BeanDeserializerBase)
						? new UnwrappedKeys(deserializer, unwrapped.getType()) : deserializer;
			}

		});
	}

	/** The record's component whose keys are its own, or {@code null}. */
	private static RecordComponent unwrapped(Class<?> record) {
		for (RecordComponent component : record.getRecordComponents()) {
			if (component.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
				return component;
			}
		}
		return null;
	}

	private final Class<?> inner;

	private UnwrappedKeys(ValueDeserializer<?> record, Class<?> inner) {
		super(record);
		this.inner = inner;
	}

	@Override
	protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> record) {
		return new UnwrappedKeys(record, this.inner);
	}

	@Override
	public Object deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
		if (!p.isExpectedStartObjectToken()) {
			return this._delegatee.deserialize(p, ctxt); // not a mapping: refused as the record's
		}
		BeanDeserializerBase own = (BeanDeserializerBase) this._delegatee;
		BeanDeserializerBase inner = inner(ctxt);
		SettableBeanProperty[] ownArguments = own.getValueInstantiator().getFromObjectArguments(ctxt.getConfig());
		Object[] ownValues = new Object[ownArguments.length];
		Object[] innerValues = new Object[inner.getValueInstantiator().getFromObjectArguments(ctxt.getConfig()).length];
		for (String key = p.nextName(); key != null; key = p.nextName()) {
			p.nextToken();
			PropertyName name = PropertyName.construct(key);
			Object[] values = ownValues;
			SettableBeanProperty property = own.findProperty(name);
			if (property == null) {
				values = innerValues;
				property = inner.findProperty(name);
			}
			if (property == null || property.getCreatorIndex() < 0) {
				ctxt.handleUnknownProperty(p, this, handledType(), key);
				continue;
			}
			try {
				values[property.getCreatorIndex()] = property.deserialize(p, ctxt);
			}
			catch (RuntimeException ex) {
				throw DatabindException.wrapWithPath(ex, handledType(), key);
			}
		}
		for (SettableBeanProperty argument : ownArguments) {
			if (argument.getType().hasRawClass(this.inner)) {
				ownValues[argument.getCreatorIndex()] = inner.getValueInstantiator().createFromObjectWith(ctxt,
						innerValues);
			}
		}
		return own.getValueInstantiator().createFromObjectWith(ctxt, ownValues);
	}

	private BeanDeserializerBase inner(DeserializationContext ctxt) {
		return (BeanDeserializerBase) ctxt.findRootValueDeserializer(ctxt.constructType(this.inner));
	}

	/** The keys a mapping may give: the record's own and its unwrapped component's. */
	@Override
	@SuppressWarnings("unchecked")
	public Collection<Object> getKnownPropertyNames() {
		return List.copyOf(JobDefinition.keys((Class<? extends Record>) handledType()));
	}

}
